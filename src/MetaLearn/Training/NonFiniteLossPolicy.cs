namespace MetaLearn.Training;

/// <summary>What the trainer does when a meta-batch's loss or gradient is NaN or infinite.</summary>
public enum NonFiniteLossPolicy
{
    /// <summary>Stop with an <see cref="InvalidOperationException"/> naming the iteration (default).</summary>
    Throw,

    /// <summary>Discard that meta-batch's gradient, skip the optimizer step, count it, and go on.</summary>
    SkipBatch,
}
