namespace MetaLearn.Algorithms;

/// <summary>Options of <see cref="Reptile"/>.</summary>
public sealed record ReptileOptions
{
    private readonly int _innerSteps = 5;
    private readonly double _innerStepSize = 0.01;
    private readonly double _outerStepSize = 1.0;
    private readonly int _outerStepSizeAnnealingIterations;

    /// <summary>Plain SGD steps on each task's support set. <value>Default 5. At least 1.</value></summary>
    public int InnerSteps
    {
        get => _innerSteps;
        init => _innerSteps = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(InnerSteps), value, "Reptile needs at least one inner step.");
    }

    /// <summary>The inner SGD step size. <value>Default 0.01. Positive and finite.</value></summary>
    public double InnerStepSize
    {
        get => _innerStepSize;
        init => _innerStepSize = value > 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(InnerStepSize), value, "The inner step size must be positive and finite.");
    }

    /// <summary>
    /// Who applies the outer update: Reptile itself with the paper's interpolation, or the trainer's outer optimizer.
    /// </summary>
    /// <value>Default <see cref="ReptileOuterUpdate.Interpolation"/>.</value>
    public ReptileOuterUpdate OuterUpdate { get; init; } = ReptileOuterUpdate.Interpolation;

    /// <summary>
    /// The outer step size ε of <see cref="ReptileOuterUpdate.Interpolation"/> at meta-iteration 0 (the paper's 1.0 for
    /// Omniglot and Mini-ImageNet). Not used with <see cref="ReptileOuterUpdate.OuterOptimizer"/>.
    /// </summary>
    /// <value>Default 1.0. Positive and at most 1.</value>
    public double OuterStepSize
    {
        get => _outerStepSize;
        init => _outerStepSize = value > 0 && value <= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(OuterStepSize), value, "The outer step size ε interpolates towards the adapted weights; it must be in (0, 1].");
    }

    /// <summary>
    /// Meta-iterations over which ε is annealed linearly to 0, as in the paper: ε_i = ε (1 − min(i, N) / N), so set it
    /// to the total number of meta-iterations. 0 keeps ε constant.
    /// </summary>
    /// <value>Default 0 (constant ε). Zero or more.</value>
    public int OuterStepSizeAnnealingIterations
    {
        get => _outerStepSizeAnnealingIterations;
        init => _outerStepSizeAnnealingIterations = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(OuterStepSizeAnnealingIterations), value, "Use 0 for a constant outer step size, or the number of meta-iterations to anneal over.");
    }

    /// <summary>
    /// The loss of the inner SGD steps and of the reported query loss (see <see cref="InnerLoopOptions.Loss"/>).
    /// </summary>
    /// <value>Default <see cref="Loss.ByTaskKind"/>. Not null.</value>
    public Loss Loss
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(Loss), "Give a loss, e.g. Loss.CrossEntropy() or Loss.MeanSquaredError.");
    } = Loss.ByTaskKind;

    /// <summary>Whether episodes of equal shapes adapt as one task-batched computation. <value>Default true.</value></summary>
    public bool TaskBatching { get; init; } = true;

    /// <summary>The outer step size ε at meta-iteration <paramref name="iteration"/> (after linear annealing).</summary>
    public double OuterStepSizeAt(int iteration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        int n = OuterStepSizeAnnealingIterations;
        return n == 0 ? OuterStepSize : OuterStepSize * (1 - ((double)Math.Min(iteration, n) / n));
    }
}
