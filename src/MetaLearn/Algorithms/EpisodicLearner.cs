using TorchSharp.Modules;

namespace MetaLearn.Algorithms;

/// <summary>
/// What every algorithm shares: its name and model, the meta-batch loop (one task-batched computation when the
/// algorithm's options and the episodes allow it, else per episode) and the query prediction of one episode, which is
/// <see cref="Adapt"/> then <see cref="AdaptedModel.Predict(IReadOnlyList{Tensor})"/>. Each algorithm supplies its
/// per-task step and its adaptation.
/// </summary>
/// <remarks>
/// Ownership: the algorithm owns what it creates (learned step sizes, its own meta-parameters) and frees them when
/// disposed; it does not own its model, which its creator disposes. Adapted models stay valid after both are disposed
/// (see <see cref="AdaptedModel"/>). After <c>Dispose</c> its members that run it throw
/// <see cref="ObjectDisposedException"/>; a second <c>Dispose</c> does nothing.
/// </remarks>
public abstract class EpisodicLearner : IMetaAlgorithm
{
    private readonly bool _taskBatching;
    private readonly bool _batchOnlyEqualWays;
    private bool _disposed;

    /// <summary>Creates the algorithm.</summary>
    /// <param name="name">The algorithm's short name.</param>
    /// <param name="model">The model; the algorithm does not own it.</param>
    /// <param name="taskBatching">Whether episodes of equal shapes may run as one task-batched computation.</param>
    /// <param name="batchOnlyEqualWays">Whether batching also needs every episode to have the same number of ways (one-hot heads).</param>
    private protected EpisodicLearner(string name, IFunctionalModel model, bool taskBatching, bool batchOnlyEqualWays = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        Name = name;
        Model = model;
        _taskBatching = taskBatching;
        _batchOnlyEqualWays = batchOnlyEqualWays;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public IFunctionalModel Model { get; }

    /// <inheritdoc />
    public virtual IReadOnlyList<Parameter> MetaParameters => Model.Parameters;

    /// <inheritdoc />
    public MetaBatchResult AccumulateMetaGradient(IReadOnlyList<Episode> episodes, int iteration)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        ThrowIfDisposed();
        bool batching = Batches(episodes.Select(e => e.Info).ToArray());
        var parallel = ParallelPlanAt(iteration);
        return MetaBatchRunner.Run(episodes, Model, batching, StepAt(iteration), parallel: parallel);
    }

    /// <summary>
    /// The same as <see cref="AccumulateMetaGradient(IReadOnlyList{Episode}, int)"/> for a meta-batch already stacked
    /// along a leading task dimension (it runs per episode when the model or options do not allow task batching).
    /// <c>MetaTrainer</c> calls it when its sampler draws stacked meta-batches.
    /// </summary>
    internal MetaBatchResult AccumulateMetaGradient(EpisodeBatch batch, int iteration)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ThrowIfDisposed();
        bool batching = Batches(batch.Infos);
        var parallel = ParallelPlanAt(iteration);
        return MetaBatchRunner.Run(batch, Model, batching, StepAt(iteration), parallel);
    }

    /// <inheritdoc />
    public Tensor PredictQuery(Episode episode)
    {
        ThrowIfDisposed();
        return Adaptation.PredictQuery(this, episode);
    }

    /// <inheritdoc />
    public abstract AdaptedModel Adapt(IReadOnlyList<Tensor> supportInputs, Tensor supportTargets, AdaptationOptions? options = null);

    /// <inheritdoc />
    /// <remarks>A second call does nothing.</remarks>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees what the algorithm owns (learned step sizes, its own meta-parameters); never the model.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>
    /// Adds one episode's share of meta-iteration <paramref name="iteration"/>'s meta-batch of
    /// <paramref name="metaBatchSize"/> tasks to the <c>grad</c> of <see cref="MetaParameters"/>: exactly what
    /// <see cref="AccumulateMetaGradient(IReadOnlyList{Episode}, int)"/> adds for that episode when it runs the meta-batch
    /// per episode, so shares computed anywhere and added in task order give that run's gradient bit for bit. Used by
    /// distributed training (MetaLearn.Orleans).
    /// </summary>
    /// <returns>The episode's query loss and accuracy (a one-task result).</returns>
    internal MetaBatchResult AccumulateShare(Episode episode, int iteration, int metaBatchSize)
    {
        ThrowIfDisposed();
        return MetaBatchRunner.Run(new[] { episode }, Model, taskBatching: false, StepAt(iteration), metaBatchSize);
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> naming the algorithm's type once it has been disposed.</summary>
    private protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>
    /// Takes the outer step of meta-iteration <paramref name="iteration"/> from the accumulated meta-gradient itself and
    /// returns true when the algorithm has its own (Reptile's interpolation); false (the default) leaves the step to
    /// the outer optimizer. <c>MetaTrainer</c> asks after the meta-gradient passed its checks and clipping.
    /// </summary>
    internal virtual bool TryOwnOuterStep(int iteration) => false;

    /// <summary>The per-task step of meta-iteration <paramref name="iteration"/>.</summary>
    private protected abstract MetaBatchRunner.TaskStep StepAt(int iteration);

    /// <summary>
    /// How a per-episode meta-batch of meta-iteration <paramref name="iteration"/> runs several tasks at once, or null
    /// (the default) to run them one at a time with <see cref="StepAt"/>.
    /// </summary>
    private protected virtual MetaBatchRunner.ParallelPlan? ParallelPlanAt(int iteration) => null;

    private bool Batches(IReadOnlyList<EpisodeInfo> infos) =>
        _taskBatching && (!_batchOnlyEqualWays || infos.All(i => i.Ways == infos[0].Ways));
}
