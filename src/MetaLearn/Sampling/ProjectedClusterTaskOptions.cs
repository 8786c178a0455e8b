namespace MetaLearn.Sampling;

/// <summary>Options of <see cref="ProjectedClusterTaskSampler"/>.</summary>
public sealed record ProjectedClusterTaskOptions
{
    private readonly int _dimensions = 10;
    private readonly int _ways = 3;
    private readonly int _shots = 5;
    private readonly int _queries = 15;
    private readonly double _clusterStd = 1.0;
    private readonly double _centerBox = 6.0;
    private readonly double _minCenterDistance = 6.0;
    private readonly double _noiseStd = 8.0;

    /// <summary>Input dimension: 2 structured directions plus Dimensions - 2 noise directions. <value>Default 10. At least 3.</value></summary>
    public int Dimensions { get => _dimensions; init => _dimensions = value >= 3 ? value : throw new ArgumentOutOfRangeException(nameof(Dimensions), value, "Dimensions must be at least 3 (2 structured plus at least one noise direction)."); }

    /// <summary>Clusters per task. <value>Default 3. At least 1.</value></summary>
    public int Ways { get => _ways; init => _ways = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Ways), value, "A task needs at least 1 cluster."); }

    /// <summary>Labelled support examples per cluster. <value>Default 5. At least 1.</value></summary>
    public int Shots { get => _shots; init => _shots = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Shots), value, "Need at least one support example per cluster."); }

    /// <summary>Query examples per cluster. <value>Default 15. At least 1.</value></summary>
    public int Queries { get => _queries; init => _queries = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Queries), value, "Need at least one query example per cluster."); }

    /// <summary>Standard deviation of a cluster inside the structured plane. <value>Default 1. Greater than 0.</value></summary>
    public double ClusterStd { get => _clusterStd; init => _clusterStd = Positive(value, nameof(ClusterStd)); }

    /// <summary>Cluster centers are drawn uniformly from [-CenterBox, CenterBox]² in the structured plane. <value>Default 6. Greater than 0.</value></summary>
    public double CenterBox { get => _centerBox; init => _centerBox = Positive(value, nameof(CenterBox)); }

    /// <summary>Smallest distance between two centers of a task (centers are redrawn until it holds). <value>Default 6. Greater than 0.</value></summary>
    public double MinCenterDistance { get => _minCenterDistance; init => _minCenterDistance = Positive(value, nameof(MinCenterDistance)); }

    /// <summary>Standard deviation of every noise direction; large values hide the clusters from raw Euclidean distance. <value>Default 8. Greater than 0.</value></summary>
    public double NoiseStd { get => _noiseStd; init => _noiseStd = Positive(value, nameof(NoiseStd)); }

    /// <summary>Seed of the task-independent structure: the random rotation that hides the structured plane. <value>Default 0.</value></summary>
    public int StructureSeed { get; init; }

    /// <summary>Checks that <see cref="Ways"/> centers at <see cref="MinCenterDistance"/> fit in the box.</summary>
    /// <exception cref="ArgumentException">They plainly do not fit; the message says what to change.</exception>
    public void Validate()
    {
        // Disks of radius MinCenterDistance / 2 around the centers must fit (loosely) in the box grown by that radius.
        double radius = MinCenterDistance / 2;
        double area = Math.Pow((2 * CenterBox) + MinCenterDistance, 2);
        if (Ways * Math.PI * radius * radius > 0.5 * area)
        {
            throw new ArgumentException(
                $"{Ways} centers at least {MinCenterDistance} apart do not fit comfortably in [-{CenterBox}, {CenterBox}]²: raise CenterBox or lower MinCenterDistance or Ways.");
        }
    }

    private static double Positive(double value, string name) =>
        value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and greater than 0.");
}
