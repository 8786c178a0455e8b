namespace MetaLearn.Datasets;

/// <summary>
/// Options of <see cref="MakeClassification"/>: scikit-learn's <c>make_classification</c> parameters under .NET names,
/// with the same defaults. Each property checks its own range when set; rules that involve several properties
/// (feature counts, clusters versus hypercube vertices, weights versus classes) are checked by <see cref="Validate"/>,
/// which every generator and sampler calls before drawing anything.
/// </summary>
public sealed record MakeClassificationOptions
{
    private readonly int _samples = 100;
    private readonly int _features = 20;
    private readonly int _informative = 2;
    private readonly int _redundant = 2;
    private readonly int _repeated;
    private readonly int _classes = 2;
    private readonly int _clustersPerClass = 2;
    private readonly IReadOnlyList<double>? _weights;
    private readonly double _flipY = 0.01;
    private readonly double _classSep = 1.0;
    private readonly ScalarOrArray? _shift = ScalarOrArray.Of(0.0);
    private readonly ScalarOrArray? _scale = ScalarOrArray.Of(1.0);

    /// <summary>Number of samples (<c>n_samples</c>). <value>Default 100. At least 1.</value></summary>
    public int Samples { get => _samples; init => _samples = AtLeast(value, 1, nameof(Samples)); }

    /// <summary>Total number of features (<c>n_features</c>). <value>Default 20. At least 1.</value></summary>
    public int Features { get => _features; init => _features = AtLeast(value, 1, nameof(Features)); }

    /// <summary>Informative features (<c>n_informative</c>): the cluster centroids live in their space. <value>Default 2. At least 1.</value></summary>
    public int Informative { get => _informative; init => _informative = AtLeast(value, 1, nameof(Informative)); }

    /// <summary>Redundant features (<c>n_redundant</c>): random linear combinations of the informative ones. <value>Default 2. At least 0.</value></summary>
    public int Redundant { get => _redundant; init => _redundant = AtLeast(value, 0, nameof(Redundant)); }

    /// <summary>Repeated features (<c>n_repeated</c>): copies of random informative or redundant columns. <value>Default 0. At least 0.</value></summary>
    public int Repeated { get => _repeated; init => _repeated = AtLeast(value, 0, nameof(Repeated)); }

    /// <summary>Number of classes (<c>n_classes</c>). <value>Default 2. At least 1.</value></summary>
    public int Classes { get => _classes; init => _classes = AtLeast(value, 1, nameof(Classes)); }

    /// <summary>Gaussian clusters per class (<c>n_clusters_per_class</c>). <value>Default 2. At least 1.</value></summary>
    public int ClustersPerClass { get => _clustersPerClass; init => _clustersPerClass = AtLeast(value, 1, nameof(ClustersPerClass)); }

    /// <summary>
    /// Share of samples per class (<c>weights</c>): <see cref="Classes"/> values, or <see cref="Classes"/> - 1 with the last
    /// inferred as 1 - sum. Values are non-negative and sum to at most 1; samples left over by flooring (or by a sum
    /// below 1) go to the clusters in turn, as in scikit-learn.
    /// <value>Default null: balanced classes.</value>
    /// </summary>
    public IReadOnlyList<double>? Weights
    {
        get => _weights;
        init
        {
            if (value is not null && value.Any(w => !double.IsFinite(w) || w < 0))
            {
                throw new ArgumentOutOfRangeException(nameof(Weights), $"[{string.Join(", ", value)}]",
                    "Class weights must be finite and non-negative (they are shares of the samples, e.g. [0.7, 0.3]).");
            }

            _weights = value?.ToArray();
        }
    }

    /// <summary>
    /// Share of samples whose label is replaced by a uniformly random class (<c>flip_y</c>); a replaced label may
    /// equal the old one, so the share of changed labels is about FlipY * (1 - 1/Classes).
    /// <value>Default 0.01. In [0, 1].</value>
    /// </summary>
    public double FlipY
    {
        get => _flipY;
        init => _flipY = OptionChecks.Valid(value, value is >= 0 and <= 1, nameof(FlipY), "FlipY is a share of the samples and must lie in [0, 1].");
    }

    /// <summary>Half the side of the hypercube whose vertices hold the centroids (<c>class_sep</c>). <value>Default 1. Greater than 0.</value></summary>
    public double ClassSep
    {
        get => _classSep;
        init => _classSep = OptionChecks.PositiveFinite(value, nameof(ClassSep), "ClassSep must be finite and greater than 0; larger values make the task easier.");
    }

    /// <summary>
    /// Whether centroids sit on the vertices of a hypercube (<c>hypercube</c>); if false each centroid and each informative
    /// axis is scaled by a uniform(0, 1) factor, giving a random polytope. <value>Default true.</value>
    /// </summary>
    public bool Hypercube { get; init; } = true;

    /// <summary>
    /// Added to every feature after generation (<c>shift</c>): one value, or one per feature.
    /// <value>Default 0. Null draws a shift per feature uniformly from [-ClassSep, ClassSep].</value>
    /// </summary>
    public ScalarOrArray? Shift
    {
        get => _shift;
        init => _shift = OptionChecks.Valid(value, value is null || value.All(double.IsFinite), nameof(Shift), "Shift values must be finite.", actual: () => value?.ToString());
    }

    /// <summary>
    /// Multiplies every feature after the shift (<c>scale</c>): one value, or one per feature.
    /// <value>Default 1. Values greater than 0. Null draws a scale per feature as 1 + 100 * uniform(0, 1).</value>
    /// </summary>
    public ScalarOrArray? Scale
    {
        get => _scale;
        init => _scale = OptionChecks.Valid(value, value is null || value.All(v => v > 0 && double.IsFinite(v)), nameof(Scale), "Scale values must be finite and greater than 0.", actual: () => value?.ToString());
    }

    /// <summary>Whether samples and features are shuffled (<c>shuffle</c>). <value>Default true.</value></summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Features that are neither informative, redundant nor repeated: standard normal noise.</summary>
    public int Useless => Features - Informative - Redundant - Repeated;

    /// <summary>Number of Gaussian clusters: <see cref="Classes"/> * <see cref="ClustersPerClass"/>.</summary>
    public int Clusters => Classes * ClustersPerClass;

    /// <summary>
    /// Checks the rules that involve several properties, with scikit-learn's reasons.
    /// </summary>
    /// <exception cref="ArgumentException">A rule is broken; the message says which and what to change.</exception>
    public void Validate()
    {
        if ((long)Informative + Redundant + Repeated > Features)
        {
            throw new ArgumentException(
                $"Informative ({Informative}) + Redundant ({Redundant}) + Repeated ({Repeated}) = {(long)Informative + Redundant + Repeated} " +
                $"exceeds Features ({Features}): the informative, redundant and repeated features must sum to at most the number of features. " +
                "Raise Features or lower the others.");
        }

        // Each cluster needs its own hypercube vertex: Classes * ClustersPerClass <= 2^Informative (compared in log2, as scikit-learn does, to avoid overflow).
        if (Informative < Math.Log2((double)Classes * ClustersPerClass))
        {
            int needed = (int)Math.Ceiling(Math.Log2((double)Classes * ClustersPerClass));
            string vertices = Informative < 63 ? (1L << Informative).ToString(System.Globalization.CultureInfo.InvariantCulture) : $"2^{Informative}";
            throw new ArgumentException(
                $"Classes ({Classes}) * ClustersPerClass ({ClustersPerClass}) = {(long)Classes * ClustersPerClass} must be smaller or equal " +
                $"2^Informative (2^{Informative} = {vertices}): every cluster sits on its own vertex of the Informative-dimensional hypercube. " +
                $"Raise Informative to at least {needed}, or lower Classes or ClustersPerClass.");
        }

        if (Weights is not null)
        {
            if (Weights.Count != Classes && Weights.Count != Classes - 1)
            {
                throw new ArgumentException(
                    $"Weights has {Weights.Count} entries but Classes is {Classes}: give one weight per class ({Classes}), " +
                    $"or {Classes - 1} and let the last be inferred as 1 - sum.");
            }

            double sum = Weights.Sum();
            if (sum > 1 + 1e-9)
            {
                throw new ArgumentException(
                    $"Weights sum to {sum.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, more than 1: they are shares of the samples. " +
                    "Rescale them so they sum to 1.");
            }
        }

        if (Shift is not null && !Shift.Fits(Features))
        {
            throw new ArgumentException($"Shift has {Shift.Values.Count} values but Features is {Features}: give one value, or one per feature.");
        }

        if (Scale is not null && !Scale.Fits(Features))
        {
            throw new ArgumentException($"Scale has {Scale.Values.Count} values but Features is {Features}: give one value, or one per feature.");
        }

        CheckSizes();
    }

    /// <summary>Checks that the arrays the generator allocates (data, covariance, redundant mixing, centroids) can exist.</summary>
    private void CheckSizes()
    {
        const string What = "make_classification";
        AllocationSize.Elements($"{What}'s data", sizeof(double), true, "lower Samples or Features.", (nameof(Samples), Samples), (nameof(Features), Features));
        AllocationSize.Elements($"{What}'s covariance", sizeof(double), true, "lower Informative.", (nameof(Informative), Informative), (nameof(Informative), Informative));
        AllocationSize.Elements($"{What}'s redundant mixing", sizeof(double), true, "lower Informative or Redundant.", (nameof(Informative), Informative), (nameof(Redundant), Redundant));
        AllocationSize.Elements(
            $"{What}'s centroids", sizeof(double), true, "lower Classes, ClustersPerClass or Informative.",
            (nameof(Classes), Classes), (nameof(ClustersPerClass), ClustersPerClass), (nameof(Informative), Informative));
    }

    /// <summary>The class weights with the last inferred and the default filled in: one per class.</summary>
    internal double[] ResolvedWeights()
    {
        if (Weights is null)
        {
            return Enumerable.Repeat(1.0 / Classes, Classes).ToArray();
        }

        if (Weights.Count == Classes)
        {
            return Weights.ToArray();
        }

        var w = new double[Classes];
        double sum = 0;
        for (int c = 0; c < Classes - 1; c++)
        {
            w[c] = Weights[c];
            sum += Weights[c];
        }

        w[Classes - 1] = 1.0 - sum;
        return w;
    }

    private static int AtLeast(int value, int minimum, string name) =>
        OptionChecks.AtLeast(value, minimum, name, $"{name} must be at least {minimum}.");
}
