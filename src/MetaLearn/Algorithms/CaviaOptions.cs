namespace MetaLearn.Algorithms;

/// <summary>Options of <see cref="Cavia"/>.</summary>
public sealed record CaviaOptions
{
    /// <summary>
    /// Context parameters appended to every input; the model's input size must be the features plus this.
    /// </summary>
    /// <value>Default 5. At least 1.</value>
    public int ContextSize
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(ContextSize), value, "CAVIA needs at least one context parameter.");
    } = 5;

    /// <summary>Gradient steps on the context per task. <value>Default 1. At least 1.</value></summary>
    public int InnerSteps
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(InnerSteps), value, "CAVIA needs at least one inner step.");
    } = 1;

    /// <summary>The context's gradient step size. <value>Default 1.0. Positive and finite.</value></summary>
    public double InnerStepSize
    {
        get;
        init => field = value > 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(InnerStepSize), value, "The inner step size must be positive and finite (e.g. 1.0).");
    } = 1.0;

    /// <summary>Whether to drop the second-order terms (the context's gradient steps are then constants). <value>Default false.</value></summary>
    public bool FirstOrder { get; init; }

    /// <summary>
    /// The loss of the context steps and of the query (see <see cref="InnerLoopOptions.Loss"/>).
    /// </summary>
    /// <value>Default <see cref="Loss.ByTaskKind"/>. Not null.</value>
    public Loss Loss
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(Loss), "Give a loss, e.g. Loss.CrossEntropy() or Loss.MeanSquaredError.");
    } = Loss.ByTaskKind;

    /// <summary>Whether episodes of equal shapes run as one task-batched computation. <value>Default true.</value></summary>
    public bool TaskBatching { get; init; } = true;
}
