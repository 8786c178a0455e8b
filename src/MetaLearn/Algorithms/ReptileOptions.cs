namespace MetaLearn.Algorithms;

/// <summary>Options of <see cref="Reptile"/>: the shared inner options default to 5 plain SGD steps of size 0.01.</summary>
public sealed record ReptileOptions() : InnerAdaptationOptions(innerSteps: 5, innerStepSize: 0.01)
{
    private readonly double _outerStepSize = 1.0;
    private readonly int _outerStepSizeAnnealingIterations;

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
        init => _outerStepSize = OptionChecks.Valid(value, value > 0 && value <= 1, nameof(OuterStepSize), "The outer step size ε interpolates towards the adapted weights; it must be in (0, 1].");
    }

    /// <summary>
    /// Meta-iterations over which ε is annealed linearly to 0, as in the paper: ε_i = ε (1 − min(i, N) / N), so set it
    /// to the total number of meta-iterations. 0 keeps ε constant.
    /// </summary>
    /// <value>Default 0 (constant ε). Zero or more.</value>
    public int OuterStepSizeAnnealingIterations
    {
        get => _outerStepSizeAnnealingIterations;
        init => _outerStepSizeAnnealingIterations = OptionChecks.AtLeast(
            value, 0, nameof(OuterStepSizeAnnealingIterations), "Use 0 for a constant outer step size, or the number of meta-iterations to anneal over.");
    }


    /// <summary>The outer step size ε at meta-iteration <paramref name="iteration"/> (after linear annealing).</summary>
    public double OuterStepSizeAt(int iteration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        int n = OuterStepSizeAnnealingIterations;
        return n == 0 ? OuterStepSize : OuterStepSize * (1 - ((double)Math.Min(iteration, n) / n));
    }
}
