using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace MetaLearn.Deployment;

/// <summary>
/// The registry of model kinds a learner file can hold: <c>mlp</c> (<see cref="Mlp"/>) and <c>conv4</c>
/// (<see cref="Conv4"/>) are built in; <see cref="Register{TModel}"/> adds others (a model converted from a TorchSharp
/// module, a hand-written model) by saying how to describe a model as JSON options and how to build one from them.
/// </summary>
public static class ModelArchitectures
{
    private static readonly ConcurrentDictionary<string, (Type Type, Func<IFunctionalModel, JsonObject> Describe, Func<JsonObject, IFunctionalModel> Build, Func<JsonObject, Int128>? Bytes)> Kinds = new(StringComparer.Ordinal);

    static ModelArchitectures()
    {
        Kinds["mlp"] = (typeof(Mlp), m => DescribeMlp((Mlp)m), o => new Mlp(MlpOptionsOf(o)), o => AllocationSize.ModelBytes(MlpOptionsOf(o)));
        Kinds["conv4"] = (typeof(Conv4), m => DescribeConv4((Conv4)m), o => new Conv4(Conv4OptionsOf(o)), o => AllocationSize.ModelBytes(Conv4OptionsOf(o)));
    }

    /// <summary>The registered kinds.</summary>
    public static IReadOnlyCollection<string> Names => Kinds.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Registers (or replaces) a model kind.</summary>
    /// <typeparam name="TModel">The model type this kind describes.</typeparam>
    /// <param name="kind">The name stored in learner files.</param>
    /// <param name="describe">The model's options as JSON (everything <paramref name="build"/> needs except the parameter values).</param>
    /// <param name="build">A new model from those options; its parameter names and shapes must equal the described model's.</param>
    public static void Register<TModel>(string kind, Func<TModel, JsonObject> describe, Func<JsonObject, TModel> build)
        where TModel : IFunctionalModel
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(describe);
        ArgumentNullException.ThrowIfNull(build);
        Kinds[kind] = (typeof(TModel), m => describe((TModel)m), o => build(o), null);
    }

    /// <summary>
    /// Registers a kind of model converted from a TorchSharp module (<see cref="FunctionalModel.FromModule"/>): the
    /// module is code, so both the saving and the loading process register the same <paramref name="kind"/> with a
    /// factory that builds the module; the learner file restores its parameters and buffers. Save such a learner with
    /// <c>LearnerFile.Save(..., architecture: ModelArchitectures.Module(kind))</c>.
    /// </summary>
    /// <param name="kind">The name stored in learner files.</param>
    /// <param name="createModule">Builds the module (its initial values do not matter: the file's replace them).</param>
    /// <param name="options">Conversion options; null for the defaults.</param>
    public static void RegisterModule(string kind, Func<nn.Module> createModule, ModuleConversionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(createModule);
        Kinds[kind] = (typeof(ModuleKind), _ => new JsonObject(), _ =>
        {
            using var module = createModule();
            return FunctionalModel.FromModule(module, options);
        }, null);
    }

    /// <summary>The architecture of a model converted from a module registered with <see cref="RegisterModule"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is not registered.</exception>
    public static ModelArchitecture Module(string kind) => Kinds.ContainsKey(kind)
        ? new ModelArchitecture(kind, new JsonObject())
        : throw new ArgumentException($"No module kind '{kind}' is registered; call ModelArchitectures.RegisterModule first.", nameof(kind));

    internal static ModelArchitecture Describe(IFunctionalModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var (kind, entry) in Kinds)
        {
            if (entry.Type == model.GetType())
            {
                return new ModelArchitecture(kind, entry.Describe(model));
            }
        }

        throw new NotSupportedException(
            $"A {model.GetType().Name} cannot be saved: no model kind describes it ({string.Join(", ", Names)} are registered). " +
            "Register it with ModelArchitectures.Register.");
    }

    /// <summary>
    /// The bytes of parameters and buffers the model <paramref name="architecture"/> describes would allocate, computed
    /// from its options without building it; null for registered and converted kinds, whose options do not tell.
    /// </summary>
    internal static Int128? Bytes(ModelArchitecture architecture) =>
        Kinds.TryGetValue(architecture.Kind, out var entry) && entry.Bytes is { } bytes ? bytes(architecture.Options) : null;

    internal static IFunctionalModel Build(ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (!Kinds.TryGetValue(architecture.Kind, out var entry))
        {
            throw new NotSupportedException(
                $"The model kind '{architecture.Kind}' is not registered in this process ({string.Join(", ", Names)} are); register it with ModelArchitectures.Register before loading.");
        }

        return entry.Build((JsonObject)architecture.Options.DeepClone());
    }

    /// <summary>Marks module kinds in the registry: they are named explicitly, never found by the model's type.</summary>
    private sealed class ModuleKind
    {
    }

    private static JsonObject DescribeMlp(Mlp model) => new()
    {
        ["layerSizes"] = new JsonArray(model.Options.LayerSizes.Select(s => (JsonNode)s).ToArray()),
        ["seed"] = model.Options.Seed,
        ["dtype"] = model.Options.DType.ToString(),
    };

    private static MlpOptions MlpOptionsOf(JsonObject o) => new()
    {
        LayerSizes = o["layerSizes"]!.AsArray().Select(s => s!.GetValue<int>()).ToArray(),
        Seed = o["seed"]!.GetValue<int>(),
        DType = Enum.Parse<ScalarType>(o["dtype"]!.GetValue<string>()),
    };

    private static JsonObject DescribeConv4(Conv4 model) => new()
    {
        ["ways"] = model.Options.Ways,
        ["channels"] = model.Options.Channels,
        ["inputChannels"] = model.Options.InputChannels,
        ["imageSize"] = model.Options.ImageSize,
        ["blocks"] = model.Options.Blocks,
        ["batchNormSets"] = model.Options.BatchNormSets,
        ["batchNormStatistics"] = model.Options.BatchNormStatistics.ToString(),
        ["taskBatching"] = model.Options.TaskBatching,
        ["seed"] = model.Options.Seed,
        ["dtype"] = model.Options.DType.ToString(),
    };

    private static Conv4Options Conv4OptionsOf(JsonObject o) => new()
    {
        Ways = o["ways"]!.GetValue<int>(),
        Channels = o["channels"]!.GetValue<int>(),
        InputChannels = o["inputChannels"]!.GetValue<int>(),
        ImageSize = o["imageSize"]!.GetValue<int>(),
        Blocks = o["blocks"]!.GetValue<int>(),
        BatchNormSets = o["batchNormSets"]!.GetValue<int>(),
        BatchNormStatistics = Conv4Statistics(o),
        TaskBatching = o["taskBatching"]!.GetValue<bool>(),
        Seed = o["seed"]!.GetValue<int>(),
        DType = Enum.Parse<ScalarType>(o["dtype"]!.GetValue<string>()),
    };

    /// <summary>
    /// The batch-norm statistics of a described Conv4. Files written before the option existed have none: their Conv4
    /// kept running statistics with several batch-norm sets or with <c>trackRunningStatistics</c>, and otherwise
    /// normalised every pass over its own rows, which is what they are loaded as.
    /// </summary>
    private static BatchNormStatistics Conv4Statistics(JsonObject o)
    {
        if (o["batchNormStatistics"] is { } named)
        {
            string name = named.GetValue<string>();
            return Enum.TryParse<BatchNormStatistics>(name, ignoreCase: false, out var statistics) && Enum.IsDefined(statistics)
                ? statistics
                : throw new NotSupportedException($"The conv4 model's batchNormStatistics is '{name}', which this version does not know (Support, Running, Transductive).");
        }

        bool tracked = o["trackRunningStatistics"]?.GetValue<bool>() ?? false;
        return tracked || o["batchNormSets"]!.GetValue<int>() > 1 ? BatchNormStatistics.Running : BatchNormStatistics.Transductive;
    }
}
