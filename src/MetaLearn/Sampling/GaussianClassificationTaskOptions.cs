namespace MetaLearn.Sampling;

/// <summary>Options of <see cref="GaussianClassificationTaskSampler"/>.</summary>
public sealed record GaussianClassificationTaskOptions
{
    /// <summary>Classes per task. <value>Default 5. At least 2.</value></summary>
    public int Ways { get; init => field = value >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(Ways), value, "A classification task needs at least 2 classes."); } = 5;

    /// <summary>Support examples per class. <value>Default 5.</value></summary>
    public int Shots { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Shots), value, "Need at least one shot."); } = 5;

    /// <summary>Query examples per class. <value>Default 5.</value></summary>
    public int Queries { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Queries), value, "Need at least one query."); } = 5;

    /// <summary>Input dimension. <value>Default 8.</value></summary>
    public int Features { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Features), value, "Need at least one feature."); } = 8;

    /// <summary>Standard deviation of the class means (the noise has 1). <value>Default 2.</value></summary>
    public double Separation
    {
        get;
        init => field = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(Separation), value, "Separation must be finite and non-negative.");
    } = 2.0;
}
