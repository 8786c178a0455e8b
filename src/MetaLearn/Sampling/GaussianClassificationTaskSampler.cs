using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;

namespace MetaLearn.Sampling;

/// <summary>
/// Simple N-way K-shot classification tasks: each task draws one mean per class from N(0, separation² I) and points
/// from N(mean, I). Support and query are ordered class-major with labels 0..N-1.
/// </summary>
/// <param name="options">The task distribution (validated here); default <c>new GaussianClassificationTaskOptions()</c>.</param>
internal sealed class GaussianClassificationTaskSampler(GaussianClassificationTaskOptions? options = null) : TaskSampler<GaussianClassificationTaskOptions>(options ?? new GaussianClassificationTaskOptions())
{
    /// <inheritdoc />
    public override Episode Sample(int seed)
    {
        var o = Options;
        var random = new Xoshiro256StarStar(seed);
        var normal = new Normal(0, 1, random);
        var means = new double[o.Ways, o.Features];
        for (int c = 0; c < o.Ways; c++)
        {
            for (int f = 0; f < o.Features; f++)
            {
                means[c, f] = o.Separation * normal.Sample();
            }
        }

        float[] Draw(int perClass, out long[] labels)
        {
            var x = new float[o.Ways * perClass * o.Features];
            labels = new long[o.Ways * perClass];
            for (int c = 0; c < o.Ways; c++)
            {
                for (int k = 0; k < perClass; k++)
                {
                    int row = (c * perClass) + k;
                    labels[row] = c;
                    for (int f = 0; f < o.Features; f++)
                    {
                        x[(row * o.Features) + f] = (float)(means[c, f] + normal.Sample());
                    }
                }
            }

            return x;
        }

        var xs = Draw(o.Shots, out var ys);
        var xq = Draw(o.Queries, out var yq);
        using var scope = NewDisposeScope();
        return new Episode(
            tensor(xs, new long[] { ys.Length, o.Features }),
            tensor(ys),
            tensor(xq, new long[] { yq.Length, o.Features }),
            tensor(yq),
            new EpisodeInfo(o.Ways, o.Shots, o.Queries, seed, TaskKind.Classification));
    }
}
