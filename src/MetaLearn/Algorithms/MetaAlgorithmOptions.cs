namespace MetaLearn.Algorithms;

/// <summary>
/// What the options records of the algorithms share (<see cref="InnerLoopOptions"/>, <see cref="InnerAdaptationOptions"/>,
/// <see cref="R2D2Options"/>, <see cref="FineTuningOptions"/>): whether equal-shaped episodes run task-batched.
/// </summary>
public abstract record MetaAlgorithmOptions
{
    /// <summary>Only MetaLearn's options records derive from it.</summary>
    private protected MetaAlgorithmOptions()
    {
    }

    /// <summary>
    /// Whether episodes (for <see cref="FineTuning"/>, pre-training batches) of equal shapes run as one task-batched
    /// computation, with a leading task dimension on inputs and fast weights, when the model supports it
    /// (<see cref="IFunctionalModel.SupportsTaskBatching"/>). Results equal the per-episode loop's up to rounding.
    /// </summary>
    /// <value>Default true.</value>
    public bool TaskBatching { get; init; } = true;
}
