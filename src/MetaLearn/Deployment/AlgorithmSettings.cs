using System.Text.Json.Nodes;
using MetaLearn.Algorithms;
using MetaLearn.Models;

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
            ["reptile"] = new JsonObject { ["innerSteps"] = r.Options.InnerSteps, ["innerStepSize"] = r.Options.InnerStepSize, ["taskBatching"] = r.Options.TaskBatching },
        },
        PrototypicalNetworks p => new JsonObject { ["name"] = p.Name, ["taskBatching"] = p.TaskBatching },
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
            "reptile" => new Reptile(model, new ReptileOptions
            {
                InnerSteps = settings["reptile"]!["innerSteps"]!.GetValue<int>(),
                InnerStepSize = settings["reptile"]!["innerStepSize"]!.GetValue<double>(),
                TaskBatching = settings["reptile"]!["taskBatching"]!.GetValue<bool>(),
            }),
            "protonet" => new PrototypicalNetworks(model, settings["taskBatching"]!.GetValue<bool>()),
            _ => throw new NotSupportedException($"the algorithm '{name}' is not known to this MetaLearn ({string.Join(", ", MetaAlgorithms.Names)} are)"),
        };
    }

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
