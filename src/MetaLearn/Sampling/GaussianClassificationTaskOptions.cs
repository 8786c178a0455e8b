namespace MetaLearn.Sampling;

/// <summary>Options of <see cref="GaussianClassificationTaskSampler"/>.</summary>
public sealed record GaussianClassificationTaskOptions
{
    private readonly int _ways = 5;
    private readonly int _shots = 5;
    private readonly int _queries = 5;
    private readonly int _features = 8;
    private readonly double _separation = 2.0;

    /// <summary>Classes per task. <value>Default 5. At least 2.</value></summary>
    public int Ways { get => _ways; init => _ways = value >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(Ways), value, "A classification task needs at least 2 classes."); }

    /// <summary>Support examples per class. <value>Default 5.</value></summary>
    public int Shots { get => _shots; init => _shots = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Shots), value, "Need at least one shot."); }

    /// <summary>Query examples per class. <value>Default 5.</value></summary>
    public int Queries { get => _queries; init => _queries = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Queries), value, "Need at least one query."); }

    /// <summary>Input dimension. <value>Default 8.</value></summary>
    public int Features { get => _features; init => _features = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Features), value, "Need at least one feature."); }

    /// <summary>Standard deviation of the class means (the noise has 1). <value>Default 2.</value></summary>
    public double Separation
    {
        get => _separation;
        init => _separation = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(Separation), value, "Separation must be finite and non-negative.");
    }
}
