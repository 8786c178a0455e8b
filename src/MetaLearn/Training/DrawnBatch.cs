using MetaLearn.Algorithms;

namespace MetaLearn.Training;

/// <summary>One meta-batch as the trainer drew it: a list of episodes, or one stacked batch.</summary>
internal sealed class DrawnBatch : IDisposable
{
    private readonly Episode[]? _episodes;
    private readonly EpisodeBatch? _stacked;

    public DrawnBatch(Episode[] episodes) => _episodes = episodes;

    public DrawnBatch(EpisodeBatch stacked) => _stacked = stacked;

    /// <summary>
    /// Has <paramref name="algorithm"/> accumulate the meta-gradient of the episodes. A stacked batch goes through the
    /// task-batched path of an <see cref="EpisodicLearner"/>; <c>MetaTrainer.Draw</c> stacks only for one, so an
    /// algorithm written outside MetaLearn (with only <see cref="IMetaAlgorithm"/>'s episodes overload) always gets
    /// episodes drawn one by one.
    /// </summary>
    public MetaBatchResult AccumulateMetaGradient(IMetaAlgorithm algorithm, int iteration) =>
        _stacked is not null ? ((EpisodicLearner)algorithm).AccumulateMetaGradient(_stacked, iteration) : algorithm.AccumulateMetaGradient(_episodes!, iteration);

    public void Dispose()
    {
        _stacked?.Dispose();
        foreach (var e in _episodes ?? Array.Empty<Episode>())
        {
            e.Dispose();
        }
    }
}
