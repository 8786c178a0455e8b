namespace MetaLearn.Algorithms;

/// <summary>
/// The one loop over a meta-batch that every algorithm shares: bring the episodes to the model's device and dtype,
/// run them as one task-batched computation when their shapes allow it and per episode otherwise, each inside a
/// dispose scope, and average what the per-task step reports.
/// </summary>
internal static partial class MetaBatchRunner
{
    /// <summary>
    /// A per-task step: given the support and query sides (task-batched or one task) and the meta-batch size, it adds
    /// its share of the meta-gradient and returns each task's query loss and accuracy (null for regression), detached.
    /// </summary>
    public delegate (Tensor Losses, Tensor? Accuracies) TaskStep(EpisodeSide support, EpisodeSide query, int tasks);

    /// <summary>Runs <paramref name="step"/> over <paramref name="episodes"/>; no tensor it makes outlives the call.</summary>
    /// <param name="episodes">The meta-batch (not disposed).</param>
    /// <param name="model">The model whose device and dtype the episodes need.</param>
    /// <param name="taskBatching">Whether to stack equal-shaped episodes into one computation.</param>
    /// <param name="step">The algorithm's per-task step.</param>
    /// <param name="metaBatchSize">
    /// The task count the step scales by; null: the episodes' count. A share of a larger meta-batch passes the whole
    /// meta-batch's size, so each task adds exactly what it adds when the whole meta-batch runs per episode.
    /// </param>
    /// <param name="parallel">When not null, a per-episode meta-batch of several episodes runs that many at once instead.</param>
    public static MetaBatchResult Run(IReadOnlyList<Episode> episodes, IFunctionalModel model, bool taskBatching, TaskStep step, int? metaBatchSize = null, ParallelPlan? parallel = null)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        if (episodes.Count == 0)
        {
            throw new ArgumentException("A meta-batch needs at least one episode.", nameof(episodes));
        }

        if (taskBatching && model.SupportsTaskBatching && episodes.Count > 1 && EpisodeBatch.CanStack(episodes))
        {
            using var stacked = EpisodeBatch.Stack(episodes);
            return Run(stacked, model, taskBatching, step, parallel);
        }

        var (batch, owned) = ForModel(episodes, model);
        try
        {
            int tasks = batch.Count;
            if (parallel is { Threads: > 1 } && tasks > 1)
            {
                return RunParallel(batch, parallel, metaBatchSize ?? tasks);
            }

            double lossSum = 0;
            double accuracySum = 0;
            foreach (var episode in batch)
            {
                using var scope = NewDisposeScope();
                var (loss, accuracy) = step(EpisodeSide.Support(episode), EpisodeSide.Query(episode), metaBatchSize ?? tasks);
                lossSum += loss.ReadDouble();
                accuracySum += accuracy?.ReadDouble() ?? double.NaN;
            }

            return new MetaBatchResult(lossSum / tasks, accuracySum / tasks, tasks, false);
        }
        finally
        {
            DisposeAll(owned);
        }
    }

    /// <summary>
    /// Runs <paramref name="step"/> over a stacked meta-batch: as one task-batched computation when allowed, else per
    /// episode; no tensor it makes outlives the call.
    /// </summary>
    public static MetaBatchResult Run(EpisodeBatch batch, IFunctionalModel model, bool taskBatching, TaskStep step, ParallelPlan? parallel = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!taskBatching || !model.SupportsTaskBatching || batch.Count < 2)
        {
            var episodes = batch.Unstack();
            try
            {
                return Run(episodes, model, false, step, parallel: parallel);
            }
            finally
            {
                DisposeAll(episodes);
            }
        }

        var stacked = batch.Stacked;
        var converted = stacked.IsOn(model.Device, model.DType) ? null : stacked.To(model.Device, model.DType);
        try
        {
            using var scope = NewDisposeScope();
            var source = converted ?? stacked;
            var (losses, accuracies) = step(EpisodeSide.StackedSupport(source, batch.Count), EpisodeSide.StackedQuery(source, batch.Count), batch.Count);
            return new MetaBatchResult(losses.mean().ReadDouble(), accuracies?.mean().ReadDouble() ?? double.NaN, batch.Count, true);
        }
        finally
        {
            converted?.Dispose();
        }
    }

    /// <summary>The episodes as the model needs them, and the converted copies the caller must dispose.</summary>
    private static (IReadOnlyList<Episode> Episodes, IReadOnlyList<Episode> Owned) ForModel(IReadOnlyList<Episode> episodes, IFunctionalModel model)
    {
        if (episodes.All(e => e.IsOn(model.Device, model.DType)))
        {
            return (episodes, Array.Empty<Episode>());
        }

        var converted = episodes.Select(e => e.IsOn(model.Device, model.DType) ? null : e.To(model.Device, model.DType)).ToArray();
        return (episodes.Select((e, i) => converted[i] ?? e).ToArray(), converted.OfType<Episode>().ToArray());
    }

    private static void DisposeAll(IEnumerable<Episode> episodes)
    {
        foreach (var e in episodes)
        {
            e.Dispose();
        }
    }
}
