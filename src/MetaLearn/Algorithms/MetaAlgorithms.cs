namespace MetaLearn.Algorithms;

/// <summary>
/// The entry point to the algorithms: <see cref="Create"/> chooses one by its short name (as a command line or a
/// configuration file names it), so that an application does not write its own switch over the algorithm types; the
/// <c>Adapt</c> extension methods adapt any algorithm to single-modality tensors or plain .NET arrays.
/// </summary>
public static partial class MetaAlgorithms
{
    private static readonly string[] KnownNames = { "maml", "fomaml", "metasgd", "anil", "reptile", "protonet", "imaml", "r2d2", "cavia" };

    /// <summary>The names <see cref="Create"/> accepts: <c>maml</c>, <c>fomaml</c>, <c>metasgd</c>, <c>anil</c>, <c>reptile</c>, <c>protonet</c>, <c>imaml</c>, <c>r2d2</c>, <c>cavia</c>.</summary>
    public static IReadOnlyList<string> Names => KnownNames;

    /// <summary>
    /// Whether the named algorithm adapts with inner gradient steps, so that <see cref="MetaAlgorithmOverrides.Steps"/>
    /// and <see cref="MetaAlgorithmOverrides.StepSize"/> apply to it: all but <c>protonet</c> and <c>r2d2</c>.
    /// </summary>
    /// <param name="name">One of <see cref="Names"/> (case-insensitive).</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a known algorithm (the message lists them).</exception>
    public static bool HasInnerSteps(string name) => Known(name) is not ("protonet" or "r2d2");

    /// <summary>
    /// Creates the algorithm called <paramref name="name"/> over <paramref name="model"/> (not owned) with that
    /// algorithm's own default options, changed only where <paramref name="overrides"/> sets a value.
    /// </summary>
    /// <param name="name">One of <see cref="Names"/> (case-insensitive).</param>
    /// <param name="model">
    /// The model whose initialisation (or embedding, for <c>protonet</c> and <c>r2d2</c>) is meta-learned. For
    /// <c>cavia</c> its input size must be the data's features plus <see cref="CaviaOptions.ContextSize"/> (default 5).
    /// </param>
    /// <param name="overrides">
    /// Settings to change; null (or a property left null) keeps the algorithm's defaults: <see cref="InnerLoopOptions"/>
    /// for <c>maml</c>, <c>fomaml</c>, <c>metasgd</c>, <c>anil</c>; <see cref="ReptileOptions"/>, <see cref="ImamlOptions"/>,
    /// <see cref="CaviaOptions"/>, <see cref="R2D2Options"/>; Prototypical Networks' constructor defaults.
    /// </param>
    /// <returns>A new algorithm the caller disposes; <see cref="IMetaAlgorithm.Name"/> equals the lower-cased <paramref name="name"/>.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="name"/> is not a known algorithm (the message lists them), or <paramref name="overrides"/> sets a
    /// property that does not apply to it (the message names it).
    /// </exception>
    public static IMetaAlgorithm Create(string name, IFunctionalModel model, MetaAlgorithmOverrides? overrides = null)
    {
        string key = Known(name);
        ArgumentNullException.ThrowIfNull(model);
        var o = overrides ?? new MetaAlgorithmOverrides();
        Refuse(key, o);
        return key switch
        {
            "maml" => new Maml(model, Inner(o)),
            "fomaml" => Maml.FirstOrder(model, Inner(o)),
            "metasgd" => Maml.MetaSgd(model, Inner(o)),
            "anil" => Maml.Anil(model, Inner(o)),
            "reptile" => new Reptile(model, Adaptation(new ReptileOptions(), o)),
            "imaml" => new Imaml(model, Adaptation(new ImamlOptions(), o)),
            "cavia" => new Cavia(model, Adaptation(new CaviaOptions(), o) is var c && o.FirstOrder is bool firstOrder ? c with { FirstOrder = firstOrder } : c),
            "protonet" => new PrototypicalNetworks(model, o.TaskBatching ?? true, o.Loss),
            _ => new R2D2(model, o.TaskBatching is bool batching ? new R2D2Options { TaskBatching = batching } : new R2D2Options()),
        };
    }

    private static string Known(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.ToLowerInvariant();
        return KnownNames.Contains(key)
            ? key
            : throw new ArgumentException($"Unknown algorithm '{name}'; choose one of {string.Join(", ", KnownNames)}.", nameof(name));
    }

    /// <summary>Throws when <paramref name="o"/> sets something <paramref name="name"/> has no use for.</summary>
    private static void Refuse(string name, MetaAlgorithmOverrides o)
    {
        var problems = new List<string>();
        if (!HasInnerSteps(name) && (o.Steps is not null || o.StepSize is not null))
        {
            problems.Add($"it has no inner gradient steps, so leave {nameof(o.Steps)} and {nameof(o.StepSize)} unset");
        }

        switch (name, o.FirstOrder)
        {
            case (_, null):
            case ("metasgd" or "anil" or "cavia", _):
            case ("maml", false):
            case ("fomaml", true):
                break;
            case ("maml", true):
                problems.Add("'maml' is second-order MAML; create 'fomaml' for the first-order variant instead of setting FirstOrder");
                break;
            case ("fomaml", false):
                problems.Add("'fomaml' is first-order MAML; create 'maml' for second-order MAML instead of setting FirstOrder = false");
                break;
            case ("reptile", _):
                problems.Add("Reptile uses first-order updates only, so leave FirstOrder unset");
                break;
            case ("imaml", _):
                problems.Add("iMAML's meta-gradient is implicit (it never differentiates through the inner steps), so leave FirstOrder unset");
                break;
            default:
                problems.Add("it has no inner loop to differentiate through, so leave FirstOrder unset");
                break;
        }

        if (name == "r2d2" && o.Loss is not null)
        {
            problems.Add("R2D2 always uses cross-entropy on its ridge logits, so leave Loss unset");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"The override does not apply to '{name}': {string.Join("; ", problems)}.", "overrides");
        }
    }

    private static InnerLoopOptions Inner(MetaAlgorithmOverrides o)
    {
        var defaults = new InnerLoopOptions();
        return defaults with
        {
            Steps = o.Steps ?? defaults.Steps,
            StepSize = o.StepSize ?? defaults.StepSize,
            FirstOrder = o.FirstOrder ?? defaults.FirstOrder,
            TaskBatching = o.TaskBatching ?? defaults.TaskBatching,
            Loss = o.Loss ?? defaults.Loss,
        };
    }

    private static T Adaptation<T>(T defaults, MetaAlgorithmOverrides o)
        where T : InnerAdaptationOptions => defaults with
        {
            Steps = o.Steps ?? defaults.Steps,
            StepSize = o.StepSize ?? defaults.StepSize,
            TaskBatching = o.TaskBatching ?? defaults.TaskBatching,
            Loss = o.Loss ?? defaults.Loss,
        };
}
