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

    private static JsonObject Inner(InnerLoopOptions o) => new()
    {
        ["steps"] = o.Steps,
        ["stepSize"] = o.StepSize,
        ["firstOrder"] = o.FirstOrder,
        ["stepSizes"] = o.StepSizes.ToString(),
        ["firstOrderIterations"] = o.FirstOrderIterations,
        ["multiStepLossWeights"] = o.MultiStepLossWeights is null ? null : new JsonArray(o.MultiStepLossWeights.Select(w => (JsonNode)w).ToArray()),
        ["taskBatching"] = o.TaskBatching,
    };

    private static InnerLoopOptions Inner(JsonObject o) => new()
    {
        Steps = o["steps"]!.GetValue<int>(),
        StepSize = o["stepSize"]!.GetValue<double>(),
        FirstOrder = o["firstOrder"]!.GetValue<bool>(),
        StepSizes = Enum.Parse<StepSizeMode>(o["stepSizes"]!.GetValue<string>()),
        FirstOrderIterations = o["firstOrderIterations"]!.GetValue<int>(),
        MultiStepLossWeights = o["multiStepLossWeights"]?.AsArray().Select(w => w!.GetValue<double>()).ToArray(),
        TaskBatching = o["taskBatching"]!.GetValue<bool>(),
    };
}
