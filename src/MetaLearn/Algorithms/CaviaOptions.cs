namespace MetaLearn.Algorithms;

/// <summary>Options of <see cref="Cavia"/>: the shared inner options default to 1 context step of size 1.0.</summary>
public sealed record CaviaOptions() : InnerAdaptationOptions(steps: 1, stepSize: 1.0)
{
    /// <summary>
    /// Context parameters appended to every input; the model's input size must be the features plus this.
    /// </summary>
    /// <value>Default 5. At least 1.</value>
    public int ContextSize { get; init => field = OptionChecks.AtLeast(value, 1, nameof(ContextSize), "CAVIA needs at least one context parameter."); } = 5;

    /// <summary>Whether to drop the second-order terms (the context's gradient steps are then constants). <value>Default false.</value></summary>
    public bool FirstOrder { get; init; }
}
