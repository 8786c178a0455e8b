namespace MetaLearn.Sampling;

/// <summary>Options of <see cref="ProjectedClusterTaskSampler"/>. Ways are clusters. Defaults: 3 ways (at least 1), 5 shots, 15 queries per cluster.</summary>
public sealed record ProjectedClusterTaskOptions() : ClassificationTaskOptions(ways: 3, shots: 5, queries: 15, minimumWays: 1)
{
    /// <summary>Input dimension: 2 structured directions plus Dimensions - 2 noise directions. <value>Default 10. At least 3.</value></summary>
    public int Dimensions { get; init => field = OptionChecks.AtLeast(value, 3, nameof(Dimensions), "Dimensions must be at least 3 (2 structured plus at least one noise direction)."); } = 10;

    /// <summary>Standard deviation of a cluster inside the structured plane. <value>Default 1. Greater than 0.</value></summary>
    public double ClusterStd { get; init => field = Positive(value, nameof(ClusterStd)); } = 1.0;

    /// <summary>Cluster centers are drawn uniformly from [-CenterBox, CenterBox]² in the structured plane. <value>Default 6. Greater than 0.</value></summary>
    public double CenterBox { get; init => field = Positive(value, nameof(CenterBox)); } = 6.0;

    /// <summary>Smallest distance between two centers of a task (centers are redrawn until it holds). <value>Default 6. Greater than 0.</value></summary>
    public double MinCenterDistance { get; init => field = Positive(value, nameof(MinCenterDistance)); } = 6.0;

    /// <summary>Standard deviation of every noise direction; large values hide the clusters from raw Euclidean distance. <value>Default 8. Greater than 0.</value></summary>
    public double NoiseStd { get; init => field = Positive(value, nameof(NoiseStd)); } = 8.0;

    /// <summary>Seed of the task-independent structure: the random rotation that hides the structured plane. <value>Default 0.</value></summary>
    public int StructureSeed { get; init; }

    /// <summary>Checks that <see cref="ClassificationTaskOptions.Ways"/> centers at <see cref="MinCenterDistance"/> fit in the box.</summary>
    /// <exception cref="ArgumentException">They plainly do not fit; the message says what to change.</exception>
    public override void Validate()
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
        OptionChecks.PositiveFinite(value, name, $"{name} must be finite and greater than 0.");
}
