using MathNet.Numerics;
using MathNet.Numerics.Distributions;
using MetaLearn.Datasets;

namespace MetaLearn.Sampling;

/// <summary>
/// Multimodal N-way K-shot classification tasks in which the modalities complement each other. Each task gives every
/// class a random code (a permutation); informative modality k shows digit k of that code in base
/// <see cref="ComplementaryTaskOptions.GroupsPerModality"/>, as a group centroid on a random vertex of a hypercube
/// (make_classification style) in its latent space, plus Gaussian spread. So each informative modality alone separates
/// only groups of classes, and all of them together separate every class. A noise modality shows latent variables of the
/// same spread, independent of the class. Each modality's features are its latent variables through a fixed random
/// projection (<see cref="ModalityOptions.NonLinear"/>, the same for every task) plus noise, so the projections can be
/// meta-learned. Missing modalities follow <see cref="ModalityMask"/>. Labels are 0..Ways-1, class-major.
/// </summary>
/// <param name="options">The task distribution (validated here); default <c>new ComplementaryTaskOptions()</c>.</param>
internal sealed class ComplementaryTaskSampler(ComplementaryTaskOptions? options = null) : ModalityTaskSampler<ComplementaryTaskOptions>(options ?? new ComplementaryTaskOptions(), "complementary")
{
    /// <summary>The group modality <paramref name="modality"/> shows for each class in the task of <paramref name="seed"/>; -1 for every class of a noise modality.</summary>
    public int[] Groups(int seed, int modality)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(modality);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(modality, Options.Modalities.Count);
        var code = Codes(SyntheticRandom.Create(Seeds.Derive(seed, 0, 0)));
        return Enumerable.Range(0, Options.Ways).Select(c => GroupOf(code, c, modality)).ToArray();
    }

    /// <inheritdoc />
    public override Episode Sample(int seed)
    {
        var o = Options;
        var codeRandom = SyntheticRandom.Create(Seeds.Derive(seed, 0, 0));
        var code = Codes(codeRandom);
        var random = SyntheticRandom.Create(Seeds.Derive(seed, 1, 0));
        int m = o.Modalities.Count;
        int l = o.LatentDimensions;
        var centroids = Enumerable.Range(0, m).Select(k => o.Modalities[k].Noise ? null : Centroids(random)).ToArray();
        double noiseSpread = Math.Sqrt((o.Separation * o.Separation) + (o.ClusterStd * o.ClusterStd));
        var latent = new double[l];

        Tensor[] Draw(int perClass, out long[] labels)
        {
            int n = o.Ways * perClass;
            labels = new long[n];
            var features = o.Modalities.Select(x => new float[n * x.Features]).ToArray();
            for (int row = 0; row < n; row++)
            {
                int c = row / perClass;
                labels[row] = c;
                for (int k = 0; k < m; k++)
                {
                    int group = GroupOf(code, c, k);
                    for (int j = 0; j < l; j++)
                    {
                        latent[j] = group < 0
                            ? noiseSpread * Normal.Sample(random, 0, 1)
                            : centroids[k]![(group * l) + j] + (o.ClusterStd * Normal.Sample(random, 0, 1));
                    }

                    int f = o.Modalities[k].Features;
                    Views.Render(k, latent, features[k].AsSpan(row * f, f), random);
                }
            }

            return Views.ToInputs(features, Views.DrawMask(n, random), n);
        }

        var support = Draw(o.Shots, out var supportLabels);
        var query = Draw(o.Queries, out var queryLabels);
        using var scope = NewDisposeScope();
        return new Episode(support, tensor(supportLabels), query, tensor(queryLabels), new EpisodeInfo(o.Ways, o.Shots, o.Queries, seed, TaskKind.Classification));
    }

    private int[] Codes(Random random) => Combinatorics.GeneratePermutation(Options.Ways, random);

    private int GroupOf(int[] code, int c, int modality)
    {
        var o = Options;
        if (o.Modalities[modality].Noise)
        {
            return -1;
        }

        int digit = o.Modalities.Take(modality).Count(x => !x.Noise);
        int g = o.GroupsPerModality;
        return (int)(code[c] / Math.Pow(g, digit)) % g;
    }

    /// <summary>GroupsPerModality distinct random hypercube vertices ±Separation, row-major [groups, latent].</summary>
    private double[] Centroids(Random random)
    {
        var o = Options;
        int l = o.LatentDimensions;
        int g = o.GroupsPerModality;
        var vertices = Combinatorics.GeneratePermutation(1 << l, random);
        var result = new double[g * l];
        for (int k = 0; k < g; k++)
        {
            for (int j = 0; j < l; j++)
            {
                result[(k * l) + j] = ((vertices[k] >> j) & 1) == 1 ? o.Separation : -o.Separation;
            }
        }

        return result;
    }
}
