namespace MetaLearn.Algorithms;

/// <summary>
/// Options of <see cref="Reptile"/>: the shared inner options default to 5 plain SGD steps of size 0.01; the outer step
/// size ε = 1.0 is annealed linearly to 0 over <see cref="OuterStepSizeAnnealingIterations"/> (1,000 by default), as in the paper.
/// </summary>
public sealed record ReptileOptions() : InnerAdaptationOptions(steps: 5, stepSize: 0.01)
{
    private readonly double _outerStepSize = 1.0;
    private readonly int _outerStepSizeAnnealingIterations = DefaultAnnealingIterations;

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
    /// The default of <see cref="OuterStepSizeAnnealingIterations"/>: 1,000, the default number of meta-iterations of
    /// <c>MetaTrainerOptions.Iterations</c>.
    /// </summary>
    public const int DefaultAnnealingIterations = 1000;

    /// <summary>
    /// N, the meta-iterations over which ε is annealed linearly to 0, as the paper does for all its experiments
    /// (Nichol et al. 2018, "On First-Order Meta-Learning Algorithms", arXiv:1803.02999v3, Appendix A): ε_i = ε (1 − i / N)
    /// at meta-iteration i = 0, 1, ..., N − 1. Set it to the number of meta-iterations you train for: at iteration N, ε would
    /// be 0 and the initialisation would stop moving, so <see cref="OuterStepSizeAt"/> refuses iterations from N on
    /// instead of training silently to no effect. 0 keeps ε constant (no annealing).
    /// </summary>
    /// <value>Default <see cref="DefaultAnnealingIterations"/> (1,000, the trainer's default length). Zero or more.</value>
    /// <remarks>
    /// An option rather than the trainer's count: a training may run as several <c>MetaTrainer.Train</c> calls (with
    /// validation or a clock check in between, as the samples do), so no single call knows the total.
    /// </remarks>
    public int OuterStepSizeAnnealingIterations
    {
        get => _outerStepSizeAnnealingIterations;
        init => _outerStepSizeAnnealingIterations = OptionChecks.AtLeast(
            value, 0, nameof(OuterStepSizeAnnealingIterations), "Use the number of meta-iterations to anneal over (the training's length), or 0 for a constant outer step size.");
    }

    /// <summary>The outer step size ε_i = ε (1 − i / N) at meta-iteration <paramref name="iteration"/> (ε itself when N is 0).</summary>
    /// <param name="iteration">The meta-iteration i, counted from 0; below N unless N is 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="iteration"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="iteration"/> is N or more: the schedule has annealed ε to 0 (the message says which option to set).
    /// </exception>
    public double OuterStepSizeAt(int iteration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        int n = OuterStepSizeAnnealingIterations;
        if (n == 0)
        {
            return OuterStepSize;
        }

        return iteration < n
            ? OuterStepSize * (1 - ((double)iteration / n))
            : throw new InvalidOperationException(
                $"Meta-iteration {iteration} is past Reptile's outer-step-size schedule, which anneals ε linearly to 0 over " +
                $"{nameof(OuterStepSizeAnnealingIterations)} = {n} meta-iterations (from then on the initialisation would not move). " +
                $"Set {nameof(ReptileOptions)}.{nameof(OuterStepSizeAnnealingIterations)} to the number of meta-iterations you train for, or 0 for a constant ε.");
    }
}
