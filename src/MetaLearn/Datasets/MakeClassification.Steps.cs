using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace MetaLearn.Datasets;

/// <summary>The generative steps of <c>make_classification</c>, each on the row-major data buffer.</summary>
public static partial class MakeClassification
{
    /// <summary>
    /// Cluster centroids, row-major [Clusters, Informative]: distinct hypercube vertices mapped to {-ClassSep, +ClassSep};
    /// without <see cref="MakeClassificationOptions.Hypercube"/> each row and then each column is scaled by uniform(0, 1).
    /// </summary>
    private static double[] Centroids(MakeClassificationOptions o, Random random)
    {
        int clusters = o.Clusters;
        int dims = o.Informative;
        double[] c = HypercubeVertices(clusters, dims, random);
        for (int i = 0; i < c.Length; i++)
        {
            c[i] = (c[i] * 2 * o.ClassSep) - o.ClassSep;
        }

        if (!o.Hypercube)
        {
            for (int k = 0; k < clusters; k++)
            {
                double factor = random.NextDouble();
                for (int j = 0; j < dims; j++)
                {
                    c[(k * dims) + j] *= factor;
                }
            }

            for (int j = 0; j < dims; j++)
            {
                double factor = random.NextDouble();
                for (int k = 0; k < clusters; k++)
                {
                    c[(k * dims) + j] *= factor;
                }
            }
        }

        return c;
    }

    /// <summary>
    /// <paramref name="count"/> distinct vertices of the unit hypercube in <paramref name="dims"/> dimensions, row-major,
    /// as scikit-learn's <c>_generate_hypercube</c>: distinct draws for the last (up to) 30 coordinates, independent
    /// random bits for any coordinates beyond.
    /// </summary>
    internal static double[] HypercubeVertices(int count, int dims, Random random)
    {
        var v = new double[count * dims];
        int lead = Math.Max(0, dims - 30);
        for (int k = 0; k < count; k++)
        {
            for (int j = 0; j < lead; j++)
            {
                v[(k * dims) + j] = random.Next(2);
            }
        }

        int low = dims - lead;
        int range = 1 << low;
        int[] codes = range <= 4L * count || range <= 1 << 12
            ? Combinatorics.GenerateVariation(range, count, random)
            : DistinctByRejection(range, count, random);
        for (int k = 0; k < count; k++)
        {
            for (int b = 0; b < low; b++)
            {
                // The most significant bit comes first, as in numpy's unpackbits.
                v[(k * dims) + lead + b] = (codes[k] >> (low - 1 - b)) & 1;
            }
        }

        return v;
    }

    private static int[] DistinctByRejection(int range, int count, Random random)
    {
        var seen = new HashSet<int>();
        var codes = new int[count];
        for (int k = 0; k < count; k++)
        {
            int code;
            do
            {
                code = random.Next(range);
            }
            while (!seen.Add(code));
            codes[k] = code;
        }

        return codes;
    }

    /// <summary>
    /// Informative columns: standard normal draws; cluster by cluster (in sample order) multiplied by a uniform(-1, 1)
    /// matrix A (a random covariance) and moved to the cluster's centroid.
    /// </summary>
    private static void DrawClusters(double[] x, int f, int inf, int[] perCluster, double[] centroids, int classes,
        int[] clean, int[] clusterOf, Random random)
    {
        int n = clean.Length;
        var normals = new double[n * inf];
        Normal.Samples(random, normals, 0, 1);
        var a = new double[inf * inf];
        Span<double> product = inf <= 64 ? stackalloc double[inf] : new double[inf];
        int start = 0;
        for (int k = 0; k < perCluster.Length; k++)
        {
            for (int i = 0; i < a.Length; i++)
            {
                a[i] = (2 * random.NextDouble()) - 1;
            }

            var centroid = centroids.AsSpan(k * inf, inf);
            for (int i = start; i < start + perCluster[k]; i++)
            {
                clean[i] = k % classes;
                clusterOf[i] = k;
                var z = normals.AsSpan(i * inf, inf);
                product.Clear();
                for (int m = 0; m < inf; m++)
                {
                    double zm = z[m];
                    var aRow = a.AsSpan(m * inf, inf);
                    for (int j = 0; j < inf; j++)
                    {
                        product[j] += zm * aRow[j];
                    }
                }

                var row = x.AsSpan(i * f, inf);
                for (int j = 0; j < inf; j++)
                {
                    row[j] = product[j] + centroid[j];
                }
            }

            start += perCluster[k];
        }
    }

    /// <summary>Redundant columns: the informative columns times a uniform(-1, 1) matrix B [Informative, Redundant].</summary>
    private static void AddRedundant(double[] x, int n, int f, int inf, int redundant, Random random)
    {
        if (redundant == 0)
        {
            return;
        }

        var b = new double[inf * redundant];
        for (int i = 0; i < b.Length; i++)
        {
            b[i] = (2 * random.NextDouble()) - 1;
        }

        for (int i = 0; i < n; i++)
        {
            var row = x.AsSpan(i * f, f);
            var target = row.Slice(inf, redundant);
            for (int m = 0; m < inf; m++)
            {
                double xm = row[m];
                var bRow = b.AsSpan(m * redundant, redundant);
                for (int r = 0; r < redundant; r++)
                {
                    target[r] += xm * bRow[r];
                }
            }
        }
    }

    /// <summary>Repeated columns: copies of columns floor((Informative + Redundant - 1) * u + 0.5).</summary>
    private static void AddRepeated(double[] x, int n, int f, int sources, int repeated, Random random)
    {
        if (repeated == 0)
        {
            return;
        }

        var from = new int[repeated];
        for (int r = 0; r < repeated; r++)
        {
            from[r] = (int)(((sources - 1) * random.NextDouble()) + 0.5);
        }

        for (int i = 0; i < n; i++)
        {
            var row = x.AsSpan(i * f, f);
            for (int r = 0; r < repeated; r++)
            {
                row[sources + r] = row[from[r]];
            }
        }
    }

    /// <summary>Useless columns (the last ones): standard normal noise.</summary>
    private static void AddNoise(double[] x, int n, int f, int first, int count, Random random)
    {
        if (count == 0)
        {
            return;
        }

        var noise = new double[n * count];
        Normal.Samples(random, noise, 0, 1);
        for (int i = 0; i < n; i++)
        {
            noise.AsSpan(i * count, count).CopyTo(x.AsSpan((i * f) + first, count));
        }
    }

    /// <summary>Picks each sample with probability <paramref name="flipY"/>, then gives every picked sample a uniformly random class.</summary>
    private static bool[] ReplaceLabels(int[] y, double flipY, int classes, Random random)
    {
        var picked = new bool[y.Length];
        for (int i = 0; i < y.Length; i++)
        {
            picked[i] = random.NextDouble() < flipY;
        }

        for (int i = 0; i < y.Length; i++)
        {
            if (picked[i])
            {
                y[i] = random.Next(classes);
            }
        }

        return picked;
    }
}
