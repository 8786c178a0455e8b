namespace MetaLearn.Algorithms;

/// <summary>
/// Options of <see cref="Imaml"/>: the shared inner options default to 10 proximal gradient steps of size 0.01. Plain
/// gradient descent on the proximal objective converges only when the step size is below 2 / (λ + the support loss's
/// largest curvature).
/// </summary>
public sealed record ImamlOptions() : InnerAdaptationOptions(steps: 10, stepSize: 0.01)
{
    /// <summary>
    /// λ of the proximal term λ/2 ‖φ − θ‖² that keeps the adapted weights near the initialisation; larger λ makes the
    /// implicit system better conditioned and the adaptation smaller. <value>Default 2.0 (the paper's Omniglot value). Positive and finite.</value>
    /// </summary>
    public double Regularization { get; init => field = OptionChecks.PositiveFinite(value, nameof(Regularization), "The proximal regularisation λ must be positive and finite (e.g. 2.0)."); } = 2.0;

    /// <summary>Conjugate-gradient steps for the implicit meta-gradient. <value>Default 5 (the paper's). At least 1.</value></summary>
    public int ConjugateGradientSteps { get; init => field = OptionChecks.AtLeast(value, 1, nameof(ConjugateGradientSteps), "Use at least one conjugate-gradient step."); } = 5;
}
