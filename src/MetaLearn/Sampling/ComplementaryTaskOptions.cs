namespace MetaLearn.Sampling;

/// <summary>Options of <see cref="TaskSamplers.Complementary"/>. Defaults: 4 ways (at least 2), 5 shots, 10 queries.</summary>
public sealed record ComplementaryTaskOptions() : ClassificationTaskOptions(ways: 4, shots: 5, queries: 10, minimumWays: 2), IModalityTaskOptions
{
    private readonly int _latentDimensions = 2;
    private readonly double _separation = 2.0;
    private readonly double _clusterStd = 0.6;
    private readonly IReadOnlyList<ModalityOptions> _modalities = new[] { ModalityOptions.Informative(8), ModalityOptions.Informative(8) };

    /// <summary>The modalities, in input order. <value>Default two informative modalities of 8 features.</value></summary>
    public IReadOnlyList<ModalityOptions> Modalities { get => _modalities; init => _modalities = ModalityOptions.CheckedList(value, nameof(Modalities)); }

    /// <summary>Latent variables per modality (the dimension of the hypercube holding the group centroids). <value>Default 2. In [1, 16].</value></summary>
    public int LatentDimensions
    {
        get => _latentDimensions;
        init => _latentDimensions = OptionChecks.Valid(value, value is >= 1 and <= 16, nameof(LatentDimensions), "LatentDimensions must lie in [1, 16].");
    }

    /// <summary>Half the side of the hypercube whose vertices hold a modality's group centroids (make_classification's class_sep). <value>Default 2. Greater than 0.</value></summary>
    public double Separation
    {
        get => _separation;
        init => _separation = OptionChecks.PositiveFinite(value, nameof(Separation), "Separation must be finite and greater than 0.");
    }

    /// <summary>Standard deviation of a group around its centroid, in latent space. <value>Default 0.6. At least 0.</value></summary>
    public double ClusterStd
    {
        get => _clusterStd;
        init => _clusterStd = OptionChecks.NonNegativeFinite(value, nameof(ClusterStd), "ClusterStd must be finite and non-negative.");
    }

    /// <summary>Seed of the task-independent structure: each modality's projection. <value>Default 0.</value></summary>
    public int StructureSeed { get; init; }

    /// <summary>Number of informative modalities.</summary>
    public int InformativeCount => Modalities.Count(m => !m.Noise);

    /// <summary>
    /// Groups each informative modality separates: the smallest g with g^(informative modalities) ≥ <see cref="ClassificationTaskOptions.Ways"/>.
    /// With two or more informative modalities g &lt; Ways, so no single modality can tell every class apart.
    /// </summary>
    public int GroupsPerModality
    {
        get
        {
            int g = 1;
            while (Math.Pow(g, InformativeCount) < Ways)
            {
                g++;
            }

            return g;
        }
    }

    /// <summary>Checks the rules that involve several properties.</summary>
    /// <exception cref="ArgumentException">The hypercube has fewer vertices than a modality has groups.</exception>
    public override void Validate()
    {
        if (Math.Pow(2, LatentDimensions) < GroupsPerModality)
        {
            throw new ArgumentException(
                $"Each informative modality separates {GroupsPerModality} groups but a {LatentDimensions}-dimensional hypercube has only {1 << LatentDimensions} vertices: raise LatentDimensions or add informative modalities.");
        }
    }
}
