using MathNet.Numerics.Random;
using MetaLearn.Tasks;
using static TorchSharp.torch;

namespace MetaLearn.Sampling.Synthetic;

/// <summary>
/// Sinusoid regression tasks (Finn et al., 2017): y = A sin(x − φ) with A, φ and the inputs drawn uniformly per task.
/// Inputs and targets are [K, 1] float32.
/// </summary>
public sealed class SinusoidTaskSampler : ITaskSampler
{
    /// <summary>Creates the sampler.</summary>
    public SinusoidTaskSampler(SinusoidTaskOptions? options = null)
    {
        Options = (options ?? new SinusoidTaskOptions()).Validated();
    }

    /// <summary>The task distribution.</summary>
    public SinusoidTaskOptions Options { get; }

    /// <inheritdoc />
    public Episode Sample(int seed)
    {
        var random = new Xoshiro256StarStar(seed);
        var o = Options;
        double amplitude = o.AmplitudeMin + ((o.AmplitudeMax - o.AmplitudeMin) * random.NextDouble());
        double phase = o.PhaseMin + ((o.PhaseMax - o.PhaseMin) * random.NextDouble());
        int n = o.Shots + o.Queries;
        var x = new float[n];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            double xi = o.InputMin + ((o.InputMax - o.InputMin) * random.NextDouble());
            x[i] = (float)xi;
            y[i] = (float)(amplitude * Math.Sin(xi - phase));
        }

        using var scope = NewDisposeScope();
        var xs = tensor(x[..o.Shots], new long[] { o.Shots, 1 });
        var ys = tensor(y[..o.Shots], new long[] { o.Shots, 1 });
        var xq = tensor(x[o.Shots..], new long[] { o.Queries, 1 });
        var yq = tensor(y[o.Shots..], new long[] { o.Queries, 1 });
        return new Episode(xs, ys, xq, yq, new EpisodeInfo(1, o.Shots, o.Queries, seed));
    }
}
