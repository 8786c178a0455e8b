namespace MetaLearn.Algorithms;

/// <summary>Options of <see cref="Imaml"/>.</summary>
public sealed record ImamlOptions
{
    /// <summary>Gradient steps on each task's proximal objective. <value>Default 10. At least 1.</value></summary>
    public int InnerSteps
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(InnerSteps), value, "iMAML needs at least one inner step.");
    } = 10;

    /// <summary>
    /// The inner gradient-descent step size. Plain gradient descent on the proximal objective converges only when it
    /// is below 2 / (λ + the support loss's largest curvature).
    /// </summary>
    /// <value>Default 0.01. Positive and finite.</value>
    public double InnerStepSize
    {
        get;
        init => field = value > 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(InnerStepSize), value, "The inner step size must be positive and finite.");
    } = 0.01;

    /// <summary>
    /// λ of the proximal term λ/2 ‖φ − θ‖² that keeps the adapted weights near the initialisation; larger λ makes the
    /// implicit system better conditioned and the adaptation smaller. <value>Default 2.0 (the paper's Omniglot value). Positive and finite.</value>
    /// </summary>
    public double Regularization
    {
        get;
        init => field = value > 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Regularization), value, "The proximal regularisation λ must be positive and finite (e.g. 2.0).");
    } = 2.0;

    /// <summary>Conjugate-gradient steps for the implicit meta-gradient. <value>Default 5 (the paper's). At least 1.</value></summary>
    public int ConjugateGradientSteps
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(ConjugateGradientSteps), value, "Use at least one conjugate-gradient step.");
    } = 5;

    /// <summary>
    /// The loss of the inner (proximal) steps and of the query (see <see cref="InnerLoopOptions.Loss"/>).
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
