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

    /// <summary>Creates the algorithm called <paramref name="name"/> over <paramref name="model"/> (not owned).</summary>
    /// <param name="name">One of <see cref="Names"/> (case-insensitive).</param>
    /// <param name="model">The model whose initialisation (or embedding, for <c>protonet</c>) is meta-learned.</param>
    /// <param name="inner">
    /// Inner-loop options for the gradient-based algorithms; their <see cref="InnerLoopOptions.Loss"/> is passed to every
    /// algorithm that takes a loss (all but <c>r2d2</c>, which always uses cross-entropy); for <c>reptile</c> its <see cref="InnerLoopOptions.Steps"/>,
    /// <see cref="InnerLoopOptions.StepSize"/> and <see cref="InnerLoopOptions.TaskBatching"/> become the
    /// <see cref="ReptileOptions"/> (the outer update stays the paper's interpolation), for <c>imaml</c> they become
    /// <see cref="InnerAdaptationOptions.Steps"/>, <see cref="InnerAdaptationOptions.StepSize"/> and
    /// <see cref="InnerAdaptationOptions.TaskBatching"/> (λ and the conjugate-gradient steps keep their defaults), for <c>cavia</c> they become
    /// <see cref="InnerAdaptationOptions.Steps"/>, <see cref="InnerAdaptationOptions.StepSize"/>, <see cref="CaviaOptions.FirstOrder"/> and
    /// <see cref="InnerAdaptationOptions.TaskBatching"/> (the context size keeps its default, so the model's input size must be the
    /// features plus <see cref="CaviaOptions.ContextSize"/>), and for <c>protonet</c> and <c>r2d2</c> only <see cref="InnerLoopOptions.TaskBatching"/> is read.
    /// Null uses each algorithm's defaults.
    /// </param>
    /// <returns>A new algorithm the caller disposes; <see cref="IMetaAlgorithm.Name"/> equals the lower-cased <paramref name="name"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a known algorithm (the message lists them).</exception>
    public static IMetaAlgorithm Create(string name, IFunctionalModel model, InnerLoopOptions? inner = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(model);
        return name.ToLowerInvariant() switch
        {
            "maml" => new Maml(model, (inner ?? new InnerLoopOptions()) with { FirstOrder = false }),
            "fomaml" => Maml.FirstOrder(model, inner),
            "metasgd" => new MetaSgd(model, inner),
            "anil" => new Anil(model, inner),
            "reptile" => new Reptile(model, inner is null
                ? new ReptileOptions()
                : new ReptileOptions { Steps = inner.Steps, StepSize = inner.StepSize, TaskBatching = inner.TaskBatching, Loss = inner.Loss }),
            "imaml" => new Imaml(model, inner is null
                ? new ImamlOptions()
                : new ImamlOptions { Steps = inner.Steps, StepSize = inner.StepSize, TaskBatching = inner.TaskBatching, Loss = inner.Loss }),
            "protonet" => new PrototypicalNetworks(model, inner?.TaskBatching ?? true, inner?.Loss),
            "r2d2" => new R2D2(model, new R2D2Options { TaskBatching = inner?.TaskBatching ?? true }),
            "cavia" => new Cavia(model, inner is null
                ? new CaviaOptions()
                : new CaviaOptions { Steps = inner.Steps, StepSize = inner.StepSize, FirstOrder = inner.FirstOrder, TaskBatching = inner.TaskBatching, Loss = inner.Loss }),
            _ => throw new ArgumentException(
                $"Unknown algorithm '{name}'; choose one of {string.Join(", ", KnownNames)}.", nameof(name)),
        };
    }
}
