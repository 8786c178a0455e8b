using System.Text.Json.Nodes;
using MetaLearn.Algorithms;
using TorchSharp.Modules;

namespace MetaLearn.Deployment;

/// <summary>
/// An algorithm's name and options as JSON (<c>{"name": "maml", "options": {...}}</c>, the options record written
/// property by property by <see cref="OptionsJson"/>), and the algorithm rebuilt from them.
/// </summary>
internal static partial class AlgorithmSettings
{
    public static JsonObject Describe(IMetaAlgorithm algorithm) => new()
    {
        ["name"] = algorithm.Name,
        ["options"] = algorithm switch
        {
            Maml g => OptionsJson.Write(g.Options),
            Reptile r => OptionsJson.Write(r.Options),
            Imaml i => OptionsJson.Write(i.Options),
            Cavia c => OptionsJson.Write(c.Options),
            R2D2 d => OptionsJson.Write(d.Options),
            FineTuning f => OptionsJson.Write(f.Options),
            PrototypicalNetworks p => new JsonObject { ["taskBatching"] = p.TaskBatching, ["loss"] = LossJson.Write(p.Loss) },
            _ => throw new NotSupportedException($"The algorithm '{algorithm.Name}' ({algorithm.GetType().Name}) cannot be saved to a learner file yet."),
        },
    };

    /// <summary>Builds the algorithm <paramref name="settings"/> (as <see cref="Describe"/> writes them) describe over <paramref name="model"/> (not owned).</summary>
    /// <exception cref="ArgumentException">A setting is missing, unknown or invalid, or the name does not match the options.</exception>
    public static IMetaAlgorithm Build(JsonObject settings, IFunctionalModel model) => Build(new ManifestObject(settings, "algorithm"), model);

    /// <summary>Builds the algorithm <paramref name="settings"/> describe over <paramref name="model"/> (not owned).</summary>
    /// <exception cref="SettingsException">A setting is missing, unknown or invalid, or the name does not match the options.</exception>
    public static IMetaAlgorithm Build(ManifestObject settings, IFunctionalModel model)
    {
        string name = settings.String("name");
        var o = settings.Object("options");
        settings.End();
        IMetaAlgorithm algorithm = name switch
        {
            "maml" or "fomaml" => new Maml(model, OptionsJson.Read<InnerLoopOptions>(o)),
            "metasgd" => Maml.MetaSgd(model, OptionsJson.Read<InnerLoopOptions>(o)),
            "anil" => Maml.Anil(model, OptionsJson.Read<InnerLoopOptions>(o)),
            "reptile" => new Reptile(model, OptionsJson.Read<ReptileOptions>(o)),
            "imaml" => new Imaml(model, OptionsJson.Read<ImamlOptions>(o)),
            "cavia" => new Cavia(model, OptionsJson.Read<CaviaOptions>(o)),
            "r2d2" => new R2D2(model, OptionsJson.Read<R2D2Options>(o)),
            "protonet" => PrototypicalNetworks(o, model),
            "finetune" => new FineTuning(model, OptionsJson.Read<FineTuningOptions>(o)),
            _ => throw new SettingsException(LearnerFileProblem.Unsupported,
                $"the algorithm '{name}' is not known to this MetaLearn ({string.Join(", ", MetaAlgorithms.Names)} and finetune are)"),
        };

        if (algorithm.Name != name)
        {
            string actual = algorithm.Name;
            algorithm.Dispose();
            throw new SettingsException(LearnerFileProblem.Corrupted, $"the algorithm is named '{name}' but its options make it '{actual}'");
        }

        return algorithm;
    }

    /// <summary>The algorithm's own meta-parameters besides the model's and the step sizes, by name (R2D2's head, fine-tuning's pre-training classifier).</summary>
    public static IReadOnlyList<(string Name, Parameter Value)> OwnParameters(IMetaAlgorithm algorithm) => algorithm switch
    {
        R2D2 d => d.HeadParameters,
        FineTuning f => f.ClassifierParameters,
        _ => Array.Empty<(string, Parameter)>(),
    };

    /// <summary>The algorithm's learned step sizes (empty when fixed).</summary>
    public static IReadOnlyList<Parameter> StepSizes(IMetaAlgorithm algorithm) =>
        algorithm is Maml g ? g.LearnedStepSizes : Array.Empty<Parameter>();

    private static PrototypicalNetworks PrototypicalNetworks(ManifestObject o, IFunctionalModel model)
    {
        bool taskBatching = o.Bool("taskBatching");
        var loss = LossJson.Read(o.Object("loss"));
        o.End();
        return new PrototypicalNetworks(model, taskBatching, loss);
    }
}
