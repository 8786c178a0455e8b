using MathNet.Numerics.Random;

namespace MetaLearn.Sampling;

/// <summary>
/// Sinusoid regression tasks (Finn et al., 2017): y = A sin(x − φ) with A, φ and the inputs drawn uniformly per task.
/// Inputs and targets are [K, 1] float32.
/// </summary>
/// <param name="options">The task distribution (validated here); default <c>new SinusoidTaskOptions()</c>.</param>
internal sealed class SinusoidTaskSampler(SinusoidTaskOptions? options = null) : TaskSampler<SinusoidTaskOptions>(options ?? new SinusoidTaskOptions()), IBatchTaskSampler
{
    /// <inheritdoc />
    public override Episode Sample(int seed)
    {
        var o = Options;
        var x = new float[o.Shots + o.Queries];
        var y = new float[x.Length];
        Draw(seed, x, y);
        using var scope = NewDisposeScope();
        return new Episode(
            tensor(x[..o.Shots], new long[] { o.Shots, 1 }),
            tensor(y[..o.Shots], new long[] { o.Shots, 1 }),
            tensor(x[o.Shots..], new long[] { o.Queries, 1 }),
            tensor(y[o.Shots..], new long[] { o.Queries, 1 }),
            new EpisodeInfo(1, o.Shots, o.Queries, seed, TaskKind.Regression));
    }

    /// <inheritdoc />
    public EpisodeBatch SampleBatch(IReadOnlyList<int> seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        var o = Options;
        int n = o.Shots + o.Queries;
        var xs = new float[seeds.Count * o.Shots];
        var ys = new float[xs.Length];
        var xq = new float[seeds.Count * o.Queries];
        var yq = new float[xq.Length];
        var x = new float[n];
        var y = new float[n];
        for (int t = 0; t < seeds.Count; t++)
        {
            Draw(seeds[t], x, y);
            Array.Copy(x, 0, xs, t * o.Shots, o.Shots);
            Array.Copy(y, 0, ys, t * o.Shots, o.Shots);
            Array.Copy(x, o.Shots, xq, t * o.Queries, o.Queries);
            Array.Copy(y, o.Shots, yq, t * o.Queries, o.Queries);
        }

        using var scope = NewDisposeScope();
        return new EpisodeBatch(
            new[] { tensor(xs, new long[] { seeds.Count, o.Shots, 1 }) },
            tensor(ys, new long[] { seeds.Count, o.Shots, 1 }),
            new[] { tensor(xq, new long[] { seeds.Count, o.Queries, 1 }) },
            tensor(yq, new long[] { seeds.Count, o.Queries, 1 }),
            seeds.Select(s => new EpisodeInfo(1, o.Shots, o.Queries, s, TaskKind.Regression)).ToArray());
    }

    /// <summary>Fills the task's inputs and targets, support first; a pure function of the seed.</summary>
    private void Draw(int seed, float[] x, float[] y)
    {
        var random = new Xoshiro256StarStar(seed);
        var o = Options;
        double amplitude = o.AmplitudeMin + ((o.AmplitudeMax - o.AmplitudeMin) * random.NextDouble());
        double phase = o.PhaseMin + ((o.PhaseMax - o.PhaseMin) * random.NextDouble());
        for (int i = 0; i < x.Length; i++)
        {
            double xi = o.InputMin + ((o.InputMax - o.InputMin) * random.NextDouble());
            x[i] = (float)xi;
            y[i] = (float)(amplitude * Math.Sin(xi - phase));
        }
    }
}
