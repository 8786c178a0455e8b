using System.Text.Json.Nodes;
using MetaLearn.Algorithms;

namespace MetaLearn.Deployment;

/// <summary>An algorithm's name and options as JSON, and the algorithm rebuilt from them.</summary>
internal static class AlgorithmSettings
{
    public static JsonObject Describe(IMetaAlgorithm algorithm) => algorithm switch
    {
        GradientMetaLearner g => new JsonObject { ["name"] = g.Name, ["inner"] = Inner(g.Options) },
        Reptile r => new JsonObject
        {
            ["name"] = r.Name,
            ["reptile"] = new JsonObject
            {
                ["innerSteps"] = r.Options.InnerSteps,
                ["innerStepSize"] = r.Options.InnerStepSize,
                ["taskBatching"] = r.Options.TaskBatching,
                ["outerUpdate"] = r.Options.OuterUpdate.ToString(),
                ["outerStepSize"] = r.Options.OuterStepSize,
                ["outerStepSizeAnnealingIterations"] = r.Options.OuterStepSizeAnnealingIterations,
                ["loss"] = LossName(r.Options.Loss),
            },
        },
        PrototypicalNetworks p => new JsonObject { ["name"] = p.Name, ["taskBatching"] = p.TaskBatching, ["loss"] = LossName(p.Loss) },
        Imaml i => new JsonObject
        {
            ["name"] = i.Name,
            ["imaml"] = new JsonObject
            {
                ["innerSteps"] = i.Options.InnerSteps,
                ["innerStepSize"] = i.Options.InnerStepSize,
                ["regularization"] = i.Options.Regularization,
                ["conjugateGradientSteps"] = i.Options.ConjugateGradientSteps,
                ["taskBatching"] = i.Options.TaskBatching,
                ["loss"] = LossName(i.Options.Loss),
            },
        },
        Cavia c => new JsonObject
        {
            ["name"] = c.Name,
            ["cavia"] = new JsonObject
            {
                ["contextSize"] = c.Options.ContextSize,
                ["innerSteps"] = c.Options.InnerSteps,
                ["innerStepSize"] = c.Options.InnerStepSize,
                ["firstOrder"] = c.Options.FirstOrder,
                ["taskBatching"] = c.Options.TaskBatching,
                ["loss"] = LossName(c.Options.Loss),
            },
        },
        R2D2 d => new JsonObject
        {
            ["name"] = d.Name,
            ["r2d2"] = new JsonObject
            {
                ["initialRegularization"] = d.Options.InitialRegularization,
                ["initialScale"] = d.Options.InitialScale,
                ["learnBias"] = d.Options.LearnBias,
                ["taskBatching"] = d.Options.TaskBatching,
            },
        },
        _ => throw new NotSupportedException($"The algorithm '{algorithm.Name}' ({algorithm.GetType().Name}) cannot be saved to a learner file yet."),
    };

    public static IMetaAlgorithm Build(JsonObject settings, IFunctionalModel model)
    {
        string name = settings["name"]!.GetValue<string>();
        return name switch
        {
            "maml" or "fomaml" => new Maml(model, Inner(settings["inner"]!.AsObject())),
            "metasgd" => new MetaSgd(model, Inner(settings["inner"]!.AsObject())),
            "anil" => new Anil(model, Inner(settings["inner"]!.AsObject())),
            "reptile" => Reptile(settings["reptile"]!.AsObject(), model),
            "protonet" => new PrototypicalNetworks(model, settings["taskBatching"]!.GetValue<bool>(), LossOrDefault(settings)),
            "imaml" => Imaml(settings["imaml"]!.AsObject(), model),
            "cavia" => Cavia(settings["cavia"]!.AsObject(), model),
            "r2d2" => R2D2(settings["r2d2"]!.AsObject(), model),
            _ => throw new NotSupportedException($"the algorithm '{name}' is not known to this MetaLearn ({string.Join(", ", MetaAlgorithms.Names)} are)"),
        };
    }

    /// <summary>The algorithm's own meta-parameters besides the model's and the step sizes, by name (R2D2's head).</summary>
    public static IReadOnlyList<(string Name, TorchSharp.Modules.Parameter Value)> OwnParameters(IMetaAlgorithm algorithm) =>
        algorithm is R2D2 d ? d.HeadParameters : Array.Empty<(string, TorchSharp.Modules.Parameter)>();

    /// <summary>The algorithm's learned step sizes (empty when fixed).</summary>
    public static IReadOnlyList<TorchSharp.Modules.Parameter> StepSizes(IMetaAlgorithm algorithm) =>
        algorithm is GradientMetaLearner g ? g.LearnedStepSizes : Array.Empty<TorchSharp.Modules.Parameter>();

    /// <summary>The loss's name, checked to rebuild the same loss (a custom loss cannot be saved).</summary>
    private static string LossName(Loss loss) => LossFromName(loss.Name) is not null
        ? loss.Name
        : throw new NotSupportedException($"The loss '{loss.Name}' is a custom loss; a learner file can hold only the built-in losses.");

    private static Loss? LossFromName(string name)
    {
        // Files written before task kinds existed name the old by-target-type default, which is what ByTaskKind gives
        // for classification and regression episodes.
        if (name == Loss.ByTaskKind.Name || name == "cross-entropy for class labels, else mean squared error")
        {
            return Loss.ByTaskKind;
        }

        if (name == Loss.MeanSquaredError.Name)
        {
            return Loss.MeanSquaredError;
        }

        if (name == Loss.L1.Name)
        {
            return Loss.L1;
        }

        if (name == Loss.BinaryCrossEntropyWithLogits.Name)
        {
            return Loss.BinaryCrossEntropyWithLogits;
        }

        if (name == Loss.CrossEntropy().Name)
        {
            return Loss.CrossEntropy();
        }

        var smoothing = System.Text.RegularExpressions.Regex.Match(name, @"^cross-entropy \(label smoothing (.+)\)$");
        if (smoothing.Success && double.TryParse(smoothing.Groups[1].Value, System.Globalization.CultureInfo.CurrentCulture, out double s) && Loss.CrossEntropy(s).Name == name)
        {
            return Loss.CrossEntropy(s);
        }

        var huber = System.Text.RegularExpressions.Regex.Match(name, @"^Huber \(delta (.+)\)$");
        if (huber.Success && double.TryParse(huber.Groups[1].Value, System.Globalization.CultureInfo.CurrentCulture, out double d) && Loss.Huber(d).Name == name)
        {
            return Loss.Huber(d);
        }

        return null;
    }

    /// <summary>The loss named in <paramref name="o"/>, or <see cref="Loss.ByTaskKind"/> for files written before the option existed.</summary>
    private static Loss LossOrDefault(JsonObject o) => o["loss"] is JsonNode name
        ? LossFromName(name.GetValue<string>()) ?? throw new NotSupportedException($"the loss '{name}' is not known to this MetaLearn")
        : Loss.ByTaskKind;

    private static Reptile Reptile(JsonObject o, IFunctionalModel model) => new(model, new ReptileOptions
    {
        InnerSteps = o["innerSteps"]!.GetValue<int>(),
        InnerStepSize = o["innerStepSize"]!.GetValue<double>(),
        TaskBatching = o["taskBatching"]!.GetValue<bool>(),
        OuterUpdate = o["outerUpdate"] is JsonNode update ? Enum.Parse<ReptileOuterUpdate>(update.GetValue<string>()) : ReptileOuterUpdate.Interpolation,
        OuterStepSize = o["outerStepSize"]?.GetValue<double>() ?? 1.0,
        OuterStepSizeAnnealingIterations = o["outerStepSizeAnnealingIterations"]?.GetValue<int>() ?? 0,
        Loss = LossOrDefault(o),
    });

    private static Imaml Imaml(JsonObject o, IFunctionalModel model) => new(model, new ImamlOptions
    {
        InnerSteps = o["innerSteps"]!.GetValue<int>(),
        InnerStepSize = o["innerStepSize"]!.GetValue<double>(),
        Regularization = o["regularization"]!.GetValue<double>(),
        ConjugateGradientSteps = o["conjugateGradientSteps"]!.GetValue<int>(),
        TaskBatching = o["taskBatching"]!.GetValue<bool>(),
        Loss = LossOrDefault(o),
    });

    private static Cavia Cavia(JsonObject o, IFunctionalModel model) => new(model, new CaviaOptions
    {
        ContextSize = o["contextSize"]!.GetValue<int>(),
        InnerSteps = o["innerSteps"]!.GetValue<int>(),
        InnerStepSize = o["innerStepSize"]!.GetValue<double>(),
        FirstOrder = o["firstOrder"]!.GetValue<bool>(),
        TaskBatching = o["taskBatching"]!.GetValue<bool>(),
        Loss = LossOrDefault(o),
    });

    private static R2D2 R2D2(JsonObject o, IFunctionalModel model) => new(model, new R2D2Options
    {
        InitialRegularization = o["initialRegularization"]!.GetValue<double>(),
        InitialScale = o["initialScale"]!.GetValue<double>(),
        LearnBias = o["learnBias"]!.GetValue<bool>(),
        TaskBatching = o["taskBatching"]!.GetValue<bool>(),
    });

    private static JsonObject Inner(InnerLoopOptions o) => new()
    {
        ["steps"] = o.Steps,
        ["stepSize"] = o.StepSize,
        ["firstOrder"] = o.FirstOrder,
        ["stepSizes"] = o.StepSizes.ToString(),
        ["firstOrderIterations"] = o.FirstOrderIterations,
        ["multiStepLossIterations"] = o.MultiStepLossIterations,
        ["multiStepLossFloor"] = o.MultiStepLossFloor,
        ["loss"] = LossName(o.Loss),
        ["taskBatching"] = o.TaskBatching,
    };

    private static InnerLoopOptions Inner(JsonObject o) => new()
    {
        Steps = o["steps"]!.GetValue<int>(),
        StepSize = o["stepSize"]!.GetValue<double>(),
        FirstOrder = o["firstOrder"]!.GetValue<bool>(),
        StepSizes = Enum.Parse<StepSizeMode>(o["stepSizes"]!.GetValue<string>()),
        FirstOrderIterations = o["firstOrderIterations"]!.GetValue<int>(),
        MultiStepLossIterations = o["multiStepLossIterations"]!.GetValue<int>(),
        MultiStepLossFloor = o["multiStepLossFloor"]!.GetValue<double>(),
        Loss = LossFromName(o["loss"]!.GetValue<string>()) ?? throw new NotSupportedException($"the loss '{o["loss"]}' is not known to this MetaLearn"),
        TaskBatching = o["taskBatching"]!.GetValue<bool>(),
    };
}
