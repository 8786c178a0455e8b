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
    /// Has <paramref name="algorithm"/> accumulate the meta-gradient: a stacked batch through the task-batched path of an
    /// <see cref="EpisodicLearner"/>; any other algorithm (one a user wrote, with only the episodes overload of
    /// <see cref="IMetaAlgorithm"/>) gets the episodes, unstacked if they were drawn stacked (the trainer draws them
    /// one by one for such an algorithm, so it does not stack them only to unstack them).
    /// </summary>
    public MetaBatchResult AccumulateMetaGradient(IMetaAlgorithm algorithm, int iteration)
    {
        if (_stacked is null)
        {
            return algorithm.AccumulateMetaGradient(_episodes!, iteration);
        }

        if (algorithm is EpisodicLearner learner)
        {
            return learner.AccumulateMetaGradient(_stacked, iteration);
        }

        var episodes = _stacked.Unstack();
        try
        {
            return algorithm.AccumulateMetaGradient(episodes, iteration);
        }
        finally
        {
            foreach (var e in episodes)
            {
                e.Dispose();
            }
        }
    }

    public void Dispose()
    {
        _stacked?.Dispose();
        foreach (var e in _episodes ?? Array.Empty<Episode>())
        {
            e.Dispose();
        }
    }
}
