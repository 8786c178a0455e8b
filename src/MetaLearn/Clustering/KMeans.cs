using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Random;

namespace MetaLearn.Clustering;

/// <summary>
/// k-means: Lloyd's algorithm from greedy k-means++ seeds (as scikit-learn: 2 + ln k candidate centers per step, the
/// one that lowers the potential most is kept), restarted <see cref="KMeansOptions.Restarts"/> times.
/// An emptied cluster is moved to the point farthest from its center.
/// </summary>
internal static class KMeans
{
    /// <summary>Clusters the rows of <paramref name="points"/>.</summary>
    /// <exception cref="ArgumentException">Fewer points than clusters, or rows of different lengths.</exception>
    public static KMeansResult Fit(Matrix<double> points, KMeansOptions options)
    {
        ArgumentNullException.ThrowIfNull(points);
        return Fit(points.ToRowArrays(), options);
    }

    /// <summary>Clusters <paramref name="points"/> (one array per point, all of one length).</summary>
    /// <exception cref="ArgumentException">Fewer points than clusters, or points of different lengths.</exception>
    public static KMeansResult Fit(IReadOnlyList<double[]> points, KMeansOptions options)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(options);
        int k = options.Clusters;
        if (points.Count < k)
        {
            throw new ArgumentException($"{points.Count} points cannot form {k} clusters: give at least as many points as clusters, or lower Clusters.", nameof(points));
        }

        int d = points[0].Length;
        if (d == 0 || points.Any(p => p is null || p.Length != d))
        {
            throw new ArgumentException("Every point needs the same, non-zero number of coordinates.", nameof(points));
        }

        double tolerance = options.Tolerance * MeanVariance(points, d);
        var random = new Xoshiro256StarStar(options.Seed, threadSafe: false);
        KMeansResult? best = null;
        for (int run = 0; run < options.Restarts; run++)
        {
            var centers = KMeansPlusPlus(points, k, random);
            var result = Lloyd(points, centers, options.MaxIterations, tolerance);
            if (best is null || result.Inertia < best.Inertia)
            {
                best = result;
            }
        }

        return best!;
    }

    private static double MeanVariance(IReadOnlyList<double[]> points, int d)
    {
        double total = 0;
        for (int j = 0; j < d; j++)
        {
            double mean = 0;
            foreach (var p in points)
            {
                mean += p[j];
            }

            mean /= points.Count;
            double variance = 0;
            foreach (var p in points)
            {
                variance += (p[j] - mean) * (p[j] - mean);
            }

            total += variance / points.Count;
        }

        return total / d;
    }

    internal static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int j = 0; j < a.Length; j++)
        {
            double t = a[j] - b[j];
            s += t * t;
        }

        return s;
    }

    private static double[][] KMeansPlusPlus(IReadOnlyList<double[]> points, int k, Random random)
    {
        int n = points.Count;
        int trials = 2 + (int)Math.Log(k);
        var centers = new double[k][];
        centers[0] = (double[])points[random.Next(n)].Clone();
        var closest = new double[n];
        for (int i = 0; i < n; i++)
        {
            closest[i] = SquaredDistance(points[i], centers[0]);
        }

        var candidate = new double[n];
        var bestCandidate = new double[n];
        for (int c = 1; c < k; c++)
        {
            double potential = closest.Sum();
            double bestPotential = double.PositiveInfinity;
            int bestIndex = -1;
            for (int t = 0; t < trials; t++)
            {
                int index = SampleProportional(closest, potential, random);
                double sum = 0;
                for (int i = 0; i < n; i++)
                {
                    candidate[i] = Math.Min(closest[i], SquaredDistance(points[i], points[index]));
                    sum += candidate[i];
                }

                if (sum < bestPotential)
                {
                    bestPotential = sum;
                    bestIndex = index;
                    (candidate, bestCandidate) = (bestCandidate, candidate);
                }
            }

            centers[c] = (double[])points[bestIndex].Clone();
            (closest, bestCandidate) = (bestCandidate, closest);
        }

        return centers;
    }

    private static int SampleProportional(double[] weights, double total, Random random)
    {
        if (total <= 0)
        {
            return random.Next(weights.Length);
        }

        double u = random.NextDouble() * total;
        double cumulative = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            cumulative += weights[i];
            if (u < cumulative)
            {
                return i;
            }
        }

        return Array.FindLastIndex(weights, w => w > 0);
    }

    private static KMeansResult Lloyd(IReadOnlyList<double[]> points, double[][] centers, int maxIterations, double tolerance)
    {
        int n = points.Count;
        int k = centers.Length;
        int d = centers[0].Length;
        var labels = new int[n];
        var distances = new double[n];
        var sums = new double[k][];
        var counts = new int[k];
        for (int c = 0; c < k; c++)
        {
            sums[c] = new double[d];
        }

        int iterations = 0;
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            iterations = iteration + 1;
            bool changed = Assign(points, centers, labels, distances) || iteration == 0;
            foreach (var s in sums)
            {
                Array.Clear(s);
            }

            Array.Clear(counts);
            for (int i = 0; i < n; i++)
            {
                counts[labels[i]]++;
                var s = sums[labels[i]];
                var p = points[i];
                for (int j = 0; j < d; j++)
                {
                    s[j] += p[j];
                }
            }

            double shift = 0;
            for (int c = 0; c < k; c++)
            {
                double[] next;
                if (counts[c] == 0)
                {
                    int far = Array.IndexOf(distances, distances.Max());
                    next = (double[])points[far].Clone();
                    distances[far] = 0;
                }
                else
                {
                    next = sums[c].Select(v => v / counts[c]).ToArray();
                }

                shift += SquaredDistance(next, centers[c]);
                centers[c] = next;
            }

            if (!changed || shift <= tolerance)
            {
                break;
            }
        }

        Assign(points, centers, labels, distances);
        return new KMeansResult(labels, centers, distances.Sum(), iterations);
    }

    private static bool Assign(IReadOnlyList<double[]> points, double[][] centers, int[] labels, double[] distances)
    {
        bool changed = false;
        for (int i = 0; i < points.Count; i++)
        {
            int best = 0;
            double bestDistance = double.PositiveInfinity;
            for (int c = 0; c < centers.Length; c++)
            {
                double dist = SquaredDistance(points[i], centers[c]);
                if (dist < bestDistance)
                {
                    bestDistance = dist;
                    best = c;
                }
            }

            changed |= labels[i] != best;
            labels[i] = best;
            distances[i] = bestDistance;
        }

        return changed;
    }
}
