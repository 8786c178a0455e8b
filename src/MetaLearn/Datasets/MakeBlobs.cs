using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace MetaLearn.Datasets;

/// <summary>
/// scikit-learn's <c>make_blobs</c>: isotropic Gaussian clusters around fixed or random centers, one class per center.
/// </summary>
internal static class MakeBlobs
{
    /// <summary>Draws a data set from a seed.</summary>
    /// <exception cref="ArgumentException">The options break a rule of <see cref="MakeBlobsOptions.Validate"/>.</exception>
    public static MakeBlobsResult Generate(MakeBlobsOptions options, int seed) => Generate(options, SyntheticRandom.Create(seed));

    /// <summary>Draws a data set from <paramref name="random"/>, which this call advances.</summary>
    /// <exception cref="ArgumentException">The options break a rule of <see cref="MakeBlobsOptions.Validate"/>.</exception>
    public static MakeBlobsResult Generate(MakeBlobsOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentNullException.ThrowIfNull(random);
        int centers = options.CenterCount;
        int f = options.FeatureCount;
        var c = new double[centers * f];
        if (options.CenterPoints is null)
        {
            for (int i = 0; i < c.Length; i++)
            {
                c[i] = random.Uniform(options.CenterBox.Min, options.CenterBox.Max);
            }
        }
        else
        {
            for (int k = 0; k < centers; k++)
            {
                for (int j = 0; j < f; j++)
                {
                    c[(k * f) + j] = options.CenterPoints[k][j];
                }
            }
        }

        int[] counts = options.ResolvedCounts();
        int n = counts.Sum();
        var x = new double[n * f];
        var y = new int[n];
        Normal.Samples(random, x, 0, 1);
        var stds = new double[centers];
        int start = 0;
        for (int k = 0; k < centers; k++)
        {
            stds[k] = options.ClusterStd.Count == 1 ? options.ClusterStd[0] : options.ClusterStd[k];
            var center = c.AsSpan(k * f, f);
            for (int i = start; i < start + counts[k]; i++)
            {
                y[i] = k;
                var row = x.AsSpan(i * f, f);
                for (int j = 0; j < f; j++)
                {
                    row[j] = center[j] + (stds[k] * row[j]);
                }
            }

            start += counts[k];
        }

        if (options.Shuffle)
        {
            int[] order = Combinatorics.GeneratePermutation(n, random);
            var shuffled = new double[x.Length];
            var labels = new int[n];
            for (int i = 0; i < n; i++)
            {
                x.AsSpan(order[i] * f, f).CopyTo(shuffled.AsSpan(i * f, f));
                labels[i] = y[order[i]];
            }

            x = shuffled;
            y = labels;
        }

        var centerRows = Enumerable.Range(0, centers).Select(k => (IReadOnlyList<double>)c.AsSpan(k * f, f).ToArray()).ToArray();
        return new MakeBlobsResult(LabeledDataset.FromRows(x, f, y, centers), centerRows, stds);
    }
}
