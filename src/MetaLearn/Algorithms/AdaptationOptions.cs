namespace MetaLearn.Algorithms;

/// <summary>
/// Test-time choices of <see cref="IMetaAlgorithm.Adapt"/>: how many inner steps to take on the support set and with
/// which step size (null keeps the value the algorithm was meta-trained with), what the targets are, and the seed of
/// the adaptation's dropout masks.
/// </summary>
public sealed record AdaptationOptions
{
    /// <summary>Gradient steps on the support set. <value>Default null: the training inner loop's. At least 1.</value></summary>
    public int? Steps
    {
        get;
        init => field = OptionChecks.Valid(value, value is null or >= 1, nameof(Steps), "Adaptation needs at least one step (or null for the training value).");
    }

    /// <summary>
    /// What the support targets are. <value>Default null: int64 targets are <see cref="TaskKind.Classification"/>,
    /// floating-point ones <see cref="TaskKind.Regression"/>; set <see cref="TaskKind.MultiLabel"/> for 0/1 label columns.</value>
    /// </summary>
    public TaskKind? Kind { get; init; }

    /// <summary>
    /// The step size of a fixed-step inner loop. <value>Default null: the training inner loop's. Positive and finite.</value>
    /// Learned step sizes (Meta-SGD, per-step step sizes) are kept; setting this for them is an error.
    /// </summary>
    public double? StepSize
    {
        get;
        init => field = OptionChecks.Valid(value, value is null || (value > 0 && double.IsFinite(value.Value)), nameof(StepSize), "The step size must be positive and finite (or null for the training value).");
    }

    /// <summary>
    /// Seed of the generator, private to the call, that dropout draws its masks from during the adaptation's inner
    /// steps, so the same support set and seed give the same adapted model, whatever else runs, and the model's own
    /// generator is left alone. Predictions run without dropout.
    /// </summary>
    /// <value>Default 0. Any value.</value>
    public long Seed { get; init; }
}
