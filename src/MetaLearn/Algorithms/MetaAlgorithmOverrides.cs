namespace MetaLearn.Algorithms;

/// <summary>
/// Settings that <see cref="MetaAlgorithms.Create"/> changes in the named algorithm's own defaults; a property left null
/// keeps that algorithm's default (e.g. CAVIA's 1 context step of 1.0, iMAML's 10 proximal steps, Reptile's 5 steps).
/// A property set for an algorithm it does not apply to is refused, naming it.
/// </summary>
public sealed record MetaAlgorithmOverrides
{
    /// <summary>
    /// Inner gradient steps per task (<see cref="InnerLoopOptions.Steps"/> or <see cref="InnerAdaptationOptions.Steps"/>).
    /// Applies to the algorithms with inner steps (<see cref="MetaAlgorithms.HasInnerSteps"/>).
    /// </summary>
    /// <value>Default null (the algorithm's). At least 1.</value>
    public int? Steps
    {
        get;
        init => field = value is null or >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Steps), value, "The inner loop needs at least one step (or null for the algorithm's default).");
    }

    /// <summary>
    /// The inner step size (<see cref="InnerLoopOptions.StepSize"/>, Meta-SGD's initial learned step size, or
    /// <see cref="InnerAdaptationOptions.StepSize"/>). Applies where <see cref="Steps"/> does.
    /// </summary>
    /// <value>Default null (the algorithm's). Positive and finite.</value>
    public double? StepSize
    {
        get;
        init => field = value is null || (value > 0 && double.IsFinite(value.Value))
            ? value
            : throw new ArgumentOutOfRangeException(nameof(StepSize), value, "The inner step size must be positive and finite, e.g. 0.01 (or null for the algorithm's default).");
    }

    /// <summary>
    /// Whether to drop the second-order terms. Applies to <c>metasgd</c>, <c>anil</c> and <c>cavia</c>; <c>maml</c>
    /// accepts only false and <c>fomaml</c> only true (their names say which); the others have no such choice.
    /// </summary>
    /// <value>Default null (the algorithm's: second order).</value>
    public bool? FirstOrder { get; init; }

    /// <summary>Whether equal-shaped episodes run as one task-batched computation. Applies to every algorithm.</summary>
    /// <value>Default null (the algorithm's: true).</value>
    public bool? TaskBatching { get; init; }

    /// <summary>The loss of the inner steps and the query set. Applies to every algorithm but <c>r2d2</c> (always cross-entropy).</summary>
    /// <value>Default null (the algorithm's: <see cref="Loss.ByTaskKind"/>).</value>
    public Loss? Loss { get; init; }
}
