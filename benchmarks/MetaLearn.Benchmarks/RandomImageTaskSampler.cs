using MetaLearn.Tasks;
using static TorchSharp.torch;
using MetaLearn.Sampling;

namespace MetaLearn.Benchmarks;

/// <summary>
/// N-way K-shot Q-query episodes of uniform random images (WORKLOADS.md omniglot-conv4-maml: random values stand in
/// for data, timing only). Support and query targets are class indices in class order; a pure function of the seed.
/// </summary>
internal sealed class RandomImageTaskSampler : ITaskSampler
{
    private readonly int _ways;
    private readonly int _shots;
    private readonly int _queries;
    private readonly long[] _image;

    public RandomImageTaskSampler(int ways, int shots, int queries, int channels, int size)
    {
        _ways = ways;
        _shots = shots;
        _queries = queries;
        _image = new long[] { channels, size, size };
    }

    public Episode Sample(int seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed);
        var xs = rand(Shape(_ways * _shots), generator: generator);
        var xq = rand(Shape(_ways * _queries), generator: generator);
        var ys = arange(_ways, dtype: ScalarType.Int64).repeat_interleave(_shots);
        var yq = arange(_ways, dtype: ScalarType.Int64).repeat_interleave(_queries);
        return new Episode(xs, ys, xq, yq, new EpisodeInfo(_ways, _shots, _queries, seed, TaskKind.Classification));
    }

    private long[] Shape(long examples) => _image.Prepend(examples).ToArray();
}
