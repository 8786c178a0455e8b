using MetaLearn.Algorithms;

namespace MetaLearn.Training;

/// <summary>One meta-batch as the trainer drew it: a list of episodes, or one stacked batch.</summary>
internal sealed class DrawnBatch : IDisposable
{
    private readonly Episode[]? _episodes;
    private readonly EpisodeBatch? _stacked;

    public DrawnBatch(Episode[] episodes) => _episodes = episodes;

    public DrawnBatch(EpisodeBatch stacked) => _stacked = stacked;

    public MetaBatchResult AccumulateMetaGradient(IMetaAlgorithm algorithm, int iteration) =>
        _stacked is not null ? algorithm.AccumulateMetaGradient(_stacked, iteration) : algorithm.AccumulateMetaGradient(_episodes!, iteration);

    public void Dispose()
    {
        _stacked?.Dispose();
        foreach (var e in _episodes ?? Array.Empty<Episode>())
        {
            e.Dispose();
        }
    }
}
