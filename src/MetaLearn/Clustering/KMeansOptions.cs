namespace MetaLearn.Clustering;

/// <summary>
/// Options of <see cref="KMeans"/> (scikit-learn's <c>KMeans</c> defaults where they exist); <see cref="MetaClustering"/>
/// uses the defaults with its caller's number of clusters and seed.
/// </summary>
internal sealed record KMeansOptions
{
    private readonly int _clusters = 8;
    private readonly int _restarts = 10;
    private readonly int _maxIterations = 300;
    private readonly double _tolerance = 1e-4;

    /// <summary>Number of clusters k. <value>Default 8. At least 1.</value></summary>
    public int Clusters { get => _clusters; init => _clusters = OptionChecks.AtLeast(value, 1, nameof(Clusters), "Clusters must be at least 1."); }

    /// <summary>Independent k-means++ starts; the lowest inertia wins (<c>n_init</c>). <value>Default 10. At least 1.</value></summary>
    public int Restarts { get => _restarts; init => _restarts = OptionChecks.AtLeast(value, 1, nameof(Restarts), "Restarts must be at least 1."); }

    /// <summary>Lloyd iterations per start (<c>max_iter</c>). <value>Default 300. At least 1.</value></summary>
    public int MaxIterations { get => _maxIterations; init => _maxIterations = OptionChecks.AtLeast(value, 1, nameof(MaxIterations), "MaxIterations must be at least 1."); }

    /// <summary>
    /// Convergence threshold on the squared movement of the centers, relative to the mean per-feature variance of the
    /// data (<c>tol</c>). <value>Default 1e-4. Non-negative.</value>
    /// </summary>
    public double Tolerance
    {
        get => _tolerance;
        init => _tolerance = OptionChecks.NonNegativeFinite(value, nameof(Tolerance), "Tolerance must be finite and non-negative.");
    }

    /// <summary>Seed of the k-means++ seeding. <value>Default 0.</value></summary>
    public int Seed { get; init; }
}
