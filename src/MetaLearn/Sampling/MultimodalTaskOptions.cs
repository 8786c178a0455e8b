namespace MetaLearn.Sampling;

/// <summary>Options of <see cref="MultimodalTaskSampler"/>.</summary>
public sealed record MultimodalTaskOptions
{
    private readonly int _ways = 3;
    private readonly int _shots = 5;
    private readonly int _queries = 10;
    private readonly double _separation = 2.0;
    private readonly IReadOnlyList<int> _modalityFeatures = new[] { 4, 6 };

    /// <summary>Classes per task. <value>Default 3. At least 2.</value></summary>
    public int Ways { get => _ways; init => _ways = value >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(Ways), value, "A classification task needs at least 2 classes."); }

    /// <summary>Support examples per class. <value>Default 5.</value></summary>
    public int Shots { get => _shots; init => _shots = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Shots), value, "Need at least one shot."); }

    /// <summary>Query examples per class. <value>Default 10.</value></summary>
    public int Queries { get => _queries; init => _queries = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Queries), value, "Need at least one query."); }

    /// <summary>Standard deviation of the class means in the informative modality (noise has 1). <value>Default 2.</value></summary>
    public double Separation
    {
        get => _separation;
        init => _separation = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(Separation), value, "Separation must be finite and non-negative.");
    }

    /// <summary>Features of each modality; its length is the number of modalities. <value>Default [4, 6].</value></summary>
    public IReadOnlyList<int> ModalityFeatures
    {
        get => _modalityFeatures;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Count < 2 || value.Any(f => f < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(ModalityFeatures), $"[{string.Join(", ", value)}]", "Give at least two modalities, each with at least one feature.");
            }

            _modalityFeatures = value.ToArray();
        }
    }
}
