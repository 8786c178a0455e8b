namespace MetaLearn.Evaluation;

/// <summary>Options of <see cref="LogisticRegression"/>.</summary>
public sealed record LogisticRegressionOptions
{
    /// <summary>
    /// Inverse L2 strength, as scikit-learn's <c>C</c>: the fit minimises ½‖W‖² + C Σᵢ cross-entropyᵢ (intercepts are
    /// not penalised).
    /// </summary>
    /// <value>Default 1 (scikit-learn's default). Positive and finite.</value>
    public double C { get; init => field = OptionChecks.PositiveFinite(value, nameof(C), "C must be positive and finite (e.g. 1.0; smaller means stronger regularisation)."); } = 1.0;

    /// <summary>Newton iterations at most. <value>Default 100. At least 1.</value></summary>
    public int MaxIterations { get; init => field = OptionChecks.AtLeast(value, 1, nameof(MaxIterations), "At least one iteration."); } = 100;

    /// <summary>Stop when the gradient's largest entry falls below this. <value>Default 1e-8. Positive.</value></summary>
    public double Tolerance { get; init => field = OptionChecks.Valid(value, value > 0, nameof(Tolerance), "The tolerance must be positive."); } = 1e-8;
}
