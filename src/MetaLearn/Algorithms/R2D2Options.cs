namespace MetaLearn.Algorithms;

/// <summary>Options of <see cref="R2D2"/>.</summary>
public sealed record R2D2Options : MetaAlgorithmOptions
{
    /// <summary>The ridge regularisation λ before meta-learning (it is learned as log λ, so it stays positive).</summary>
    /// <value>Default 1.0. Positive and finite.</value>
    public double InitialRegularization { get; init => field = OptionChecks.PositiveFinite(value, nameof(InitialRegularization), "The ridge regularisation λ must be positive and finite (e.g. 1.0)."); } = 1.0;

    /// <summary>The learned scale α of the ridge outputs (logits = α · X_query W + β) before meta-learning.</summary>
    /// <value>Default 1.0. Finite and non-zero.</value>
    public double InitialScale
    {
        get;
        init => field = OptionChecks.Valid(value, value != 0 && double.IsFinite(value), nameof(InitialScale), "The initial logit scale must be finite and non-zero (e.g. 1.0).");
    } = 1.0;

    /// <summary>Whether a learned bias β (one scalar, starting at 0) is added to the logits. <value>Default true.</value></summary>
    public bool LearnBias { get; init; } = true;
}
