namespace MetaLearn.Sampling;

/// <summary>Options of <see cref="GaussianClassificationTaskSampler"/>. Defaults: 5 ways (at least 2), 5 shots, 5 queries.</summary>
public sealed record GaussianClassificationTaskOptions() : ClassificationTaskOptions(ways: 5, shots: 5, queries: 5, minimumWays: 2)
{
    /// <summary>Input dimension. <value>Default 8.</value></summary>
    public int Features { get; init => field = OptionChecks.AtLeast(value, 1, nameof(Features), "Need at least one feature."); } = 8;

    /// <summary>Standard deviation of the class means (the noise has 1). <value>Default 2.</value></summary>
    public double Separation
    {
        get;
        init => field = OptionChecks.NonNegativeFinite(value, nameof(Separation), "Separation must be finite and non-negative.");
    } = 2.0;

    /// <summary>Checks that one episode's size can be allocated.</summary>
    /// <exception cref="ArgumentException">An episode would not fit in memory; the message names the sizes.</exception>
    public override void Validate() => AllocationSize.Episode("Gaussian classification", Ways, Shots, Queries, Features);
}
