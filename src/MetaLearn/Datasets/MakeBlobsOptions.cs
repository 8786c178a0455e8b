namespace MetaLearn.Datasets;

/// <summary>
/// Options of <see cref="MakeBlobs"/>: scikit-learn's <c>make_blobs</c> parameters under .NET names, with the same
/// defaults. Each property checks its own range when set; <see cref="Validate"/> checks the rules across properties
/// and is called by every generator and sampler before drawing.
/// </summary>
public sealed record MakeBlobsOptions
{
    private readonly int _samples = 100;
    private readonly IReadOnlyList<int>? _samplesPerCenter;
    private readonly int _features = 2;
    private readonly int _centers = 3;
    private readonly IReadOnlyList<IReadOnlyList<double>>? _centerPoints;
    private readonly ScalarOrArray _clusterStd = ScalarOrArray.Of(1.0);
    private readonly (double Min, double Max) _centerBox = (-10.0, 10.0);

    /// <summary>Total samples, split evenly over the centers, the remainder to the first ones (<c>n_samples</c>). <value>Default 100. At least 1.</value></summary>
    public int Samples { get => _samples; init => _samples = OptionChecks.AtLeast(value, 1, nameof(Samples), "Samples must be at least 1."); }

    /// <summary>
    /// Samples of each center (<c>n_samples</c> as an array); overrides <see cref="Samples"/> and, when
    /// <see cref="CenterPoints"/> is null, sets the number of random centers.
    /// <value>Default null. Non-negative counts.</value>
    /// </summary>
    public IReadOnlyList<int>? SamplesPerCenter
    {
        get => _samplesPerCenter;
        init => _samplesPerCenter = OptionChecks.Valid(
            value?.ToArray(), value is null || (value.Count > 0 && value.All(c => c >= 0) && value.Sum(c => (long)c) >= 1), nameof(SamplesPerCenter),
            "Give one non-negative count per center, at least one sample in all.", actual: () => $"[{string.Join(", ", value ?? Array.Empty<int>())}]");
    }

    /// <summary>Features per sample (<c>n_features</c>); ignored when <see cref="CenterPoints"/> is given. <value>Default 2. At least 1.</value></summary>
    public int Features { get => _features; init => _features = OptionChecks.AtLeast(value, 1, nameof(Features), "Features must be at least 1."); }

    /// <summary>Number of random centers drawn uniformly in <see cref="CenterBox"/> (<c>centers</c> as a number). <value>Default 3. At least 1.</value></summary>
    public int Centers { get => _centers; init => _centers = OptionChecks.AtLeast(value, 1, nameof(Centers), "Centers must be at least 1."); }

    /// <summary>
    /// Fixed centers, one row each, all of one length (<c>centers</c> as an array); override <see cref="Centers"/> and <see cref="Features"/>.
    /// <value>Default null: random centers.</value>
    /// </summary>
    public IReadOnlyList<IReadOnlyList<double>>? CenterPoints
    {
        get => _centerPoints;
        init
        {
            if (value is not null && (value.Count == 0 || value[0].Count == 0 || value.Any(c => c.Count != value[0].Count || !c.All(double.IsFinite))))
            {
                throw new ArgumentOutOfRangeException(nameof(CenterPoints), "Give at least one center; all centers need the same, non-zero number of finite coordinates.");
            }

            _centerPoints = value?.Select(c => (IReadOnlyList<double>)c.ToArray()).ToArray();
        }
    }

    /// <summary>Standard deviation of every cluster, or one per center (<c>cluster_std</c>). <value>Default 1. Non-negative.</value></summary>
    public ScalarOrArray ClusterStd
    {
        get => _clusterStd;
        init => _clusterStd = OptionChecks.Valid(value, value is not null && value.All(s => s >= 0 && double.IsFinite(s)), nameof(ClusterStd), "ClusterStd must be finite and non-negative (one value or one per center).", actual: () => value?.ToString());
    }

    /// <summary>Box the random centers are drawn from, per coordinate (<c>center_box</c>). <value>Default (-10, 10). Min &lt; Max.</value></summary>
    public (double Min, double Max) CenterBox
    {
        get => _centerBox;
        init => _centerBox = OptionChecks.Valid(value, value.Min < value.Max && double.IsFinite(value.Min) && double.IsFinite(value.Max), nameof(CenterBox), "CenterBox needs finite Min < Max.");
    }

    /// <summary>Whether the samples are shuffled (<c>shuffle</c>). <value>Default true.</value></summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>The number of centers these options describe.</summary>
    public int CenterCount => CenterPoints?.Count ?? SamplesPerCenter?.Count ?? Centers;

    /// <summary>The number of features these options describe.</summary>
    public int FeatureCount => CenterPoints?[0].Count ?? Features;

    /// <summary>Checks the rules across properties.</summary>
    /// <exception cref="ArgumentException">A rule is broken; the message says what to change.</exception>
    public void Validate()
    {
        if (SamplesPerCenter is not null && CenterPoints is not null && SamplesPerCenter.Count != CenterPoints.Count)
        {
            throw new ArgumentException(
                $"SamplesPerCenter has {SamplesPerCenter.Count} counts but CenterPoints has {CenterPoints.Count} centers: give one count per center.");
        }

        if (!ClusterStd.Fits(CenterCount))
        {
            throw new ArgumentException(
                $"ClusterStd has {ClusterStd.Values.Count} values but there are {CenterCount} centers: give one value, or one per center.");
        }

        long samples = SamplesPerCenter?.Sum(c => (long)c) ?? Samples;
        AllocationSize.Elements("make_blobs' data", sizeof(double), true, "lower Samples (or SamplesPerCenter) or Features.", ("samples", samples), ("features", FeatureCount));
        AllocationSize.Elements("make_blobs' centers", sizeof(double), true, "lower Centers or Features.", ("centers", CenterCount), ("features", FeatureCount));
    }

    /// <summary>Samples of each center: the explicit counts, or Samples split evenly with the remainder to the first centers.</summary>
    internal int[] ResolvedCounts()
    {
        if (SamplesPerCenter is not null)
        {
            return SamplesPerCenter.ToArray();
        }

        int centers = CenterCount;
        var counts = new int[centers];
        for (int i = 0; i < centers; i++)
        {
            counts[i] = (Samples / centers) + (i < Samples % centers ? 1 : 0);
        }

        return counts;
    }
}
