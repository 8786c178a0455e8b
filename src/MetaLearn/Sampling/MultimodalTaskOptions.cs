namespace MetaLearn.Sampling;

/// <summary>Options of <see cref="MultimodalTaskSampler"/>. Defaults: 3 ways (at least 2), 5 shots, 10 queries.</summary>
public sealed record MultimodalTaskOptions() : ClassificationTaskOptions(ways: 3, shots: 5, queries: 10, minimumWays: 2)
{
    private readonly double _separation = 2.0;
    private readonly IReadOnlyList<int> _modalityFeatures = new[] { 4, 6 };

    /// <summary>Standard deviation of the class means in the informative modality (noise has 1). <value>Default 2.</value></summary>
    public double Separation
    {
        get => _separation;
        init => _separation = OptionChecks.NonNegativeFinite(value, nameof(Separation), "Separation must be finite and non-negative.");
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

    /// <summary>Checks that one episode's size can be allocated.</summary>
    /// <exception cref="ArgumentException">An episode would not fit in memory; the message names the sizes.</exception>
    public override void Validate() => AllocationSize.Episode("multimodal", Ways, Shots, Queries, ModalityFeatures.Max());
}
