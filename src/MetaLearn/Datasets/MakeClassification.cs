using MathNet.Numerics;

namespace MetaLearn.Datasets;

/// <summary>
/// scikit-learn's <c>make_classification</c>: Gaussian clusters on the vertices of a hypercube in the informative
/// subspace, redundant features as random linear combinations of the informative ones, repeated copies, noise
/// features, random label replacement, shift, scale and shuffling, in that order, with the same semantics
/// (not the same random numbers: the random source is Math.NET's).
/// </summary>
/// <remarks>
/// <para>
/// Without shuffling (<see cref="MakeClassificationOptions.Shuffle"/> false) the columns are, as in scikit-learn, the
/// <see cref="MakeClassificationOptions.Informative"/> features first, then the
/// <see cref="MakeClassificationOptions.Redundant"/> linear combinations of them, then the
/// <see cref="MakeClassificationOptions.Repeated"/> copies (each of a column drawn from the informative and redundant
/// ones), then the <see cref="MakeClassificationOptions.Useless"/> noise features: every useful feature lies in the first
/// Informative + Redundant + Repeated columns. The rows are then grouped by cluster, cluster k (of class k % Classes)
/// after cluster k - 1, with the labels after <see cref="MakeClassificationOptions.FlipY"/>'s replacement.
/// </para>
/// <para>With shuffling (the default) the rows and the columns are each put in a random order, so no column's position says what it is.</para>
/// </remarks>
public static partial class MakeClassification
{
    /// <summary>Draws a data set from a seed.</summary>
    /// <returns>
    /// The samples (float64 features, <c>[Samples, Features]</c>, in the column order the remarks describe) and their
    /// labels, classes named "0" to Classes - 1; the caller owns it and disposes it.
    /// </returns>
    /// <exception cref="ArgumentException">The options break a rule of <see cref="MakeClassificationOptions.Validate"/>.</exception>
    public static LabeledDataset Generate(MakeClassificationOptions options, int seed) =>
        GenerateDetailed(options, SyntheticRandom.Create(seed)).Data;

    /// <summary>Draws a data set from <paramref name="random"/>, which this call advances.</summary>
    /// <returns>
    /// The samples (float64 features, <c>[Samples, Features]</c>, in the column order the remarks describe) and their
    /// labels, classes named "0" to Classes - 1; the caller owns it and disposes it.
    /// </returns>
    /// <exception cref="ArgumentException">The options break a rule of <see cref="MakeClassificationOptions.Validate"/>.</exception>
    public static LabeledDataset Generate(MakeClassificationOptions options, Random random) =>
        GenerateDetailed(options, random).Data;

    /// <summary>Draws a data set from a seed, with how it was made.</summary>
    internal static MakeClassificationResult GenerateDetailed(MakeClassificationOptions options, int seed) =>
        GenerateDetailed(options, SyntheticRandom.Create(seed));

    /// <summary>Draws a data set from <paramref name="random"/>, which this call advances, with how it was made.</summary>
    internal static MakeClassificationResult GenerateDetailed(MakeClassificationOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        options.Validate();
        int n = options.Samples;
        int f = options.Features;
        int inf = options.Informative;
        int classes = options.Classes;

        int[] perCluster = SamplesPerCluster(options);
        double[] centroids = Centroids(options, random);
        var x = new double[n * f];
        var clean = new int[n];
        var clusterOf = new int[n];

        DrawClusters(x, f, inf, perCluster, centroids, classes, clean, clusterOf, random);
        AddRedundant(x, n, f, inf, options.Redundant, random);
        AddRepeated(x, n, f, inf + options.Redundant, options.Repeated, random);
        AddNoise(x, n, f, f - options.Useless, options.Useless, random);

        var y = (int[])clean.Clone();
        bool[] replaced = ReplaceLabels(y, options.FlipY, classes, random);

        double[] shift = options.Shift is null
            ? Draw(f, random, u => ((2 * u) - 1) * options.ClassSep)
            : Expand(options.Shift, f);
        double[] scale = options.Scale is null
            ? Draw(f, random, u => 1 + (100 * u))
            : Expand(options.Scale, f);
        for (int i = 0; i < n; i++)
        {
            var row = x.AsSpan(i * f, f);
            for (int j = 0; j < f; j++)
            {
                row[j] = (row[j] + shift[j]) * scale[j];
            }
        }

        int[] rows;
        int[] columns;
        if (options.Shuffle)
        {
            rows = Combinatorics.GeneratePermutation(n, random);
            columns = Combinatorics.GeneratePermutation(f, random);
            x = Permute(x, f, rows, columns);
        }
        else
        {
            rows = Enumerable.Range(0, n).ToArray();
            columns = Enumerable.Range(0, f).ToArray();
        }

        return new MakeClassificationResult(
            LabeledDataset.FromRows(x, f, Gather(y, rows), classes),
            Gather(clean, rows),
            Gather(replaced, rows),
            Gather(clusterOf, rows),
            columns.Select(c => KindOf(c, options)).ToArray(),
            columns,
            Enumerable.Range(0, options.Clusters).Select(k => (IReadOnlyList<double>)centroids.AsSpan(k * inf, inf).ToArray()).ToArray(),
            Gather(shift, columns),
            Gather(scale, columns));
    }

    /// <summary>
    /// Samples per cluster as scikit-learn computes them: floor(Samples * weight / ClustersPerClass) for cluster k of
    /// class k % Classes, then the samples left over go to clusters 0, 1, 2, ... in turn.
    /// </summary>
    internal static int[] SamplesPerCluster(MakeClassificationOptions options)
    {
        double[] weights = options.ResolvedWeights();
        var counts = new int[options.Clusters];
        int total = 0;
        for (int k = 0; k < counts.Length; k++)
        {
            counts[k] = (int)(options.Samples * weights[k % options.Classes] / options.ClustersPerClass);
            total += counts[k];
        }

        for (int i = 0; i < options.Samples - total; i++)
        {
            counts[i % counts.Length]++;
        }

        return counts;
    }

    private static FeatureKind KindOf(int source, MakeClassificationOptions o) =>
        source < o.Informative ? FeatureKind.Informative
        : source < o.Informative + o.Redundant ? FeatureKind.Redundant
        : source < o.Informative + o.Redundant + o.Repeated ? FeatureKind.Repeated
        : FeatureKind.Useless;

    private static double[] Draw(int count, Random random, Func<double, double> map)
    {
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = map(random.NextDouble());
        }

        return values;
    }

    private static double[] Expand(IReadOnlyList<double> value, int count)
    {
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = value.Count == 1 ? value[0] : value[i];
        }

        return values;
    }

    private static T[] Gather<T>(T[] source, int[] order)
    {
        var result = new T[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            result[i] = source[order[i]];
        }

        return result;
    }

    private static double[] Permute(double[] x, int f, int[] rows, int[] columns)
    {
        var result = new double[x.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            var from = x.AsSpan(rows[i] * f, f);
            var to = result.AsSpan(i * f, f);
            for (int j = 0; j < f; j++)
            {
                to[j] = from[columns[j]];
            }
        }

        return result;
    }
}
