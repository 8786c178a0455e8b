using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace MetaLearn.Deployment;

/// <summary>
/// The registry of model kinds a learner file can hold: <c>mlp</c> (<see cref="Mlp"/>), <c>conv4</c>
/// (<see cref="Conv4"/>), <c>late-fusion</c> (<see cref="Models.LateFusion"/>) and <c>feature-fusion</c>
/// (<see cref="Models.FeatureFusion"/>) are built in; <see cref="Register{TModel}"/> adds others (a model converted from a
/// TorchSharp module, a hand-written model) by saying how to describe a model as JSON options and how to build one from them.
/// </summary>
/// <remarks>
/// The built-in kinds write every option of their options record (all but the device: a loaded model lives on the
/// CPU) and refuse, when building, options that are missing or that they do not know. A fusion model is described by
/// its branches' architectures (<c>{"branches": [{"kind": ..., "options": ...}, ...]}</c>; a feature fusion also has a
/// <c>head</c>), each found from the branch's type; a fusion with a branch converted from a module is described with
/// <see cref="LateFusion(IReadOnlyList{ModelArchitecture})"/> or <see cref="FeatureFusion"/>.
/// </remarks>
public static class ModelArchitectures
{
    private static readonly ConcurrentDictionary<string, (Type Type, Func<IFunctionalModel, JsonObject> Describe, Func<JsonObject, IFunctionalModel> Build, Func<JsonObject, Int128?>? Bytes)> Kinds = new(StringComparer.Ordinal);

    static ModelArchitectures()
    {
        Kinds["mlp"] = (typeof(Mlp), m => OptionsJson.Write(((Mlp)m).Options), o => new Mlp(MlpOptionsOf(o)), o => AllocationSize.ModelBytes(MlpOptionsOf(o)));
        Kinds["conv4"] = (typeof(Conv4), m => OptionsJson.Write(((Conv4)m).Options), o => new Conv4(Conv4OptionsOf(o)), o => AllocationSize.ModelBytes(Conv4OptionsOf(o)));
        Kinds["late-fusion"] = (typeof(LateFusion), m => DescribeLateFusion((LateFusion)m), BuildLateFusion, o => PartsBytes(o, "branches"));
        Kinds["feature-fusion"] = (typeof(FeatureFusion), m => DescribeFeatureFusion((FeatureFusion)m), BuildFeatureFusion, o => PartsBytes(o, "encoders", "head"));
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
    /// Registers a kind of model made from a TorchSharp module, converted (<see cref="FunctionalModel.FromModule"/>) or
    /// used as a <see cref="Backbone"/>: the module is code, so both the saving and the loading process register the same
    /// <paramref name="kind"/> with a factory that builds the module; the learner file records which of the two the model
    /// was (with its conversion or backbone options) and restores its parameters and buffers. Save such a learner with
    /// <c>LearnerFile.Save(..., architecture: ModelArchitectures.Module(kind))</c>.
    /// </summary>
    /// <param name="kind">The name stored in learner files.</param>
    /// <param name="createModule">
    /// Builds the module (its initial values do not matter: the file's replace them); for a backbone, an
    /// <c>nn.Module&lt;Tensor, Tensor&gt;</c>, and the backbone's own factory calls it again for its frozen copies.
    /// </param>
    /// <param name="options">
    /// Conversion options for a model built from the kind alone (<c>ModelArchitectures.Module(kind).Build()</c>, or a
    /// format-1 file); null for the defaults. A learner file records the options its model was converted with, and
    /// loading uses those.
    /// </param>
    public static void RegisterModule(string kind, Func<nn.Module> createModule, ModuleConversionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(createModule);
        Kinds[kind] = (typeof(ModuleKind), _ => new JsonObject(), o =>
        {
            if (o[BackboneKey] is not null)
            {
                var settings = new ManifestObject(o, "manifest.model.options");
                var backbone = OptionsJson.Read<BackboneOptions>(settings.Object(BackboneKey));
                settings.End();
                return new Backbone(() => createModule() as nn.Module<Tensor, Tensor>
                    ?? throw new InvalidOperationException($"The module kind '{kind}' builds a module that is not an nn.Module<Tensor, Tensor>, which a backbone needs."), backbone);
            }

            var conversion = o.Count == 0 ? options : OptionsJson.Read<ModuleConversionOptions>(new ManifestObject(o, "manifest.model.options"));
            using var module = createModule();
            return FunctionalModel.FromModule(module, conversion);
        }, null);
    }

    /// <summary>
    /// The architecture of a <see cref="Models.LateFusion"/> over branches of the given architectures, for a fusion whose
    /// branches cannot be described from their types (e.g. a branch converted from a module: <see cref="Module"/>).
    /// </summary>
    /// <param name="branches">Each branch's architecture, in modality order.</param>
    public static ModelArchitecture LateFusion(IReadOnlyList<ModelArchitecture> branches)
    {
        ArgumentNullException.ThrowIfNull(branches);
        return new ModelArchitecture("late-fusion", new JsonObject { ["branches"] = new JsonArray(branches.Select(b => (JsonNode)b.ToJson()).ToArray()) });
    }

    /// <summary>The architecture of a <see cref="Models.FeatureFusion"/> over encoders and a head of the given architectures (see <see cref="LateFusion(IReadOnlyList{ModelArchitecture})"/>).</summary>
    /// <param name="encoders">Each encoder's architecture, in modality order.</param>
    /// <param name="head">The head's architecture.</param>
    public static ModelArchitecture FeatureFusion(IReadOnlyList<ModelArchitecture> encoders, ModelArchitecture head)
    {
        ArgumentNullException.ThrowIfNull(encoders);
        ArgumentNullException.ThrowIfNull(head);
        return new ModelArchitecture("feature-fusion", new JsonObject
        {
            ["encoders"] = new JsonArray(encoders.Select(e => (JsonNode)e.ToJson()).ToArray()),
            ["head"] = head.ToJson(),
        });
    }

    /// <summary>
    /// <paramref name="architecture"/> with what only the model knows filled in: a module kind given without options
    /// (<see cref="Module"/>) gets the options <paramref name="model"/> was converted with, also inside a fusion's parts.
    /// </summary>
    internal static ModelArchitecture Complete(ModelArchitecture architecture, IFunctionalModel model)
    {
        bool moduleKind = Kinds.TryGetValue(architecture.Kind, out var entry) && entry.Type == typeof(ModuleKind);
        if (architecture.Options.Count == 0 && model is ConvertedModel converted && moduleKind)
        {
            return architecture with { Options = OptionsJson.Write(converted.ConversionOptions) };
        }

        if (model is Backbone backbone)
        {
            return architecture.Options.Count == 0 && moduleKind
                ? architecture with { Options = new JsonObject { [BackboneKey] = OptionsJson.Write(backbone.Options) } }
                : throw new NotSupportedException(
                    $"A Backbone is saved as a module kind: register its module factory with ModelArchitectures.RegisterModule(kind, factory) and save with " +
                    $"architecture: ModelArchitectures.Module(kind) (got the architecture '{architecture.Kind}').");
        }

        var parts = (architecture.Kind, model) switch
        {
            ("late-fusion", LateFusion late) => new[] { ("branches", late.Branches) },
            ("feature-fusion", FeatureFusion feature) => new[] { ("encoders", feature.Encoders), ("head", (IReadOnlyList<IFunctionalModel>)new[] { feature.Head }) },
            _ => null,
        };
        if (parts is null)
        {
            return architecture;
        }

        var options = (JsonObject)architecture.Options.DeepClone();
        foreach (var (key, models) in parts)
        {
            var described = options[key] is JsonArray array ? array.ToList() : new List<JsonNode?> { options[key] };
            if (described.Count != models.Count || described.Any(d => d is not JsonObject))
            {
                return architecture;   // the loader will say what does not fit
            }

            var completed = described.Select((d, i) => Complete(ModelArchitecture.FromJson(new ManifestObject((JsonObject)d!, key)), models[i]).ToJson()).ToArray();
            options[key] = options[key] is JsonArray ? new JsonArray(completed.Select(c => (JsonNode)c).ToArray()) : completed[0];
        }

        return architecture with { Options = options };
    }

    /// <summary>The architecture of a model converted from a module registered with <see cref="RegisterModule"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is not registered.</exception>
    public static ModelArchitecture Module(string kind) => Kinds.ContainsKey(kind)
        ? new ModelArchitecture(kind, new JsonObject())
        : throw new ArgumentException($"No module kind '{kind}' is registered; call ModelArchitectures.RegisterModule first.", nameof(kind));

    internal static ModelArchitecture Describe(IFunctionalModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is Backbone)
        {
            throw new NotSupportedException(
                "A Backbone's module is code: register its factory with ModelArchitectures.RegisterModule(kind, factory) in the saving and the loading " +
                "process, and save with architecture: ModelArchitectures.Module(kind).");
        }

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
            throw new SettingsException(LearnerFileProblem.Unsupported,
                $"the model kind '{architecture.Kind}' is not registered in this process ({string.Join(", ", Names)} are); register it with ModelArchitectures.Register before loading");
        }

        return entry.Build((JsonObject)architecture.Options.DeepClone());
    }

    /// <summary>The key of a module kind's options that holds a backbone's options (a converted module's options have no such key).</summary>
    private const string BackboneKey = "backbone";

    /// <summary>Marks module kinds in the registry: they are named explicitly, never found by the model's type.</summary>
    private sealed class ModuleKind
    {
    }

    private static MlpOptions MlpOptionsOf(JsonObject o) => OptionsJson.Read<MlpOptions>(new ManifestObject(o, "manifest.model.options"));

    private static Conv4Options Conv4OptionsOf(JsonObject o) => OptionsJson.Read<Conv4Options>(new ManifestObject(o, "manifest.model.options"));

    /// <summary>
    /// The bytes of a fusion's parts (the arrays at <paramref name="arrays"/>, or the objects at <paramref name="objects"/>);
    /// null when a part's kind does not tell its size from its options.
    /// </summary>
    private static Int128? PartsBytes(JsonObject o, string arrays, string? objects = null)
    {
        var settings = new ManifestObject(o, "manifest.model.options");
        var parts = (settings.Required(arrays) as JsonArray ?? throw settings.Invalid(arrays, "is not a JSON array")).ToList();
        if (objects is not null)
        {
            parts.Add(settings.Required(objects));
        }

        Int128 total = 0;
        foreach (var part in parts)
        {
            var architecture = ModelArchitecture.FromJson(new ManifestObject(part as JsonObject ?? throw settings.Invalid(arrays, "holds a part that is not a JSON object"), settings.Path(arrays)));
            if (Bytes(architecture) is not { } bytes)
            {
                return null;
            }

            total += bytes;
        }

        return total;
    }

    private static JsonObject DescribeLateFusion(LateFusion model) => new()
    {
        ["branches"] = new JsonArray(model.Branches.Select(b => (JsonNode)Describe(b).ToJson()).ToArray()),
    };

    private static LateFusion BuildLateFusion(JsonObject o)
    {
        var settings = new ManifestObject(o, "manifest.model.options");
        var branches = Parts(settings, "branches");
        settings.End();
        return Owning(branches, () => new LateFusion(branches, ownsModels: true));
    }

    private static JsonObject DescribeFeatureFusion(FeatureFusion model) => new()
    {
        ["encoders"] = new JsonArray(model.Encoders.Select(e => (JsonNode)Describe(e).ToJson()).ToArray()),
        ["head"] = Describe(model.Head).ToJson(),
    };

    private static FeatureFusion BuildFeatureFusion(JsonObject o)
    {
        var settings = new ManifestObject(o, "manifest.model.options");
        var encoders = Parts(settings, "encoders");
        var parts = encoders.ToList();
        try
        {
            parts.Add(Build(ModelArchitecture.FromJson(settings.Object("head"))));
            settings.End();
        }
        catch
        {
            DisposeAll(parts);
            throw;
        }

        return Owning(parts, () => new FeatureFusion(encoders, parts[^1], ownsModels: true));
    }

    /// <summary>Builds the models described at <paramref name="key"/>, disposing the ones built when one fails.</summary>
    private static List<IFunctionalModel> Parts(ManifestObject settings, string key)
    {
        var array = settings.Required(key) as JsonArray ?? throw settings.Invalid(key, "is not a JSON array");
        var parts = new List<IFunctionalModel>();
        try
        {
            for (int i = 0; i < array.Count; i++)
            {
                var part = array[i] as JsonObject ?? throw settings.Invalid($"{key}[{i}]", "is not a JSON object");
                parts.Add(Build(ModelArchitecture.FromJson(new ManifestObject(part, settings.Path($"{key}[{i}]")))));
            }

            return parts;
        }
        catch
        {
            DisposeAll(parts);
            throw;
        }
    }

    /// <summary>Makes a fusion model that owns <paramref name="parts"/>, disposing them if it cannot be made.</summary>
    private static TModel Owning<TModel>(IReadOnlyList<IFunctionalModel> parts, Func<TModel> create)
    {
        try
        {
            return create();
        }
        catch
        {
            DisposeAll(parts);
            throw;
        }
    }

    private static void DisposeAll(IEnumerable<IFunctionalModel> models)
    {
        foreach (var m in models)
        {
            m.Dispose();
        }
    }
}
