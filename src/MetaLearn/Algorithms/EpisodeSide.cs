namespace MetaLearn.Algorithms;

/// <summary>
/// The support or query side of one task, or of several tasks stacked along a leading task dimension.
/// Tensors belong to the dispose scope that was current when the batch was made.
/// </summary>
internal sealed class EpisodeSide
{
    private EpisodeSide(IReadOnlyList<Tensor> inputs, Tensor targets, int tasks, bool taskBatched, int ways, TaskKind kind)
    {
        Ways = ways;
        Inputs = inputs;
        Targets = targets;
        Tasks = tasks;
        TaskBatched = taskBatched;
        Kind = kind;
    }

    public IReadOnlyList<Tensor> Inputs { get; }

    public Tensor Targets { get; }

    public int Tasks { get; }

    public bool TaskBatched { get; }

    /// <summary>Classes per task (for task-batched sides, the first episode's; stacking requires equal shapes).</summary>
    public int Ways { get; }

    /// <summary>The declared kind of the task (for task-batched sides, the first episode's; stacking requires equal kinds).</summary>
    public TaskKind Kind { get; }

    public bool IsClassification => Kind == TaskKind.Classification;

    /// <summary>A single-task side from tensors already on the model's device and dtype (for adaptation at test time).</summary>
    public static EpisodeSide Of(IReadOnlyList<Tensor> inputs, Tensor targets, int ways, TaskKind kind) => new(inputs, targets, 1, false, ways, kind);

    public static EpisodeSide Support(Episode episode) => new(episode.SupportInputs, episode.SupportTargets, 1, false, episode.Info.Ways, episode.Info.Kind);

    public static EpisodeSide Query(Episode episode) => new(episode.QueryInputs, episode.QueryTargets, 1, false, episode.Info.Ways, episode.Info.Kind);

    /// <summary>The support side of a stacked episode (tensors with a leading task dimension).</summary>
    public static EpisodeSide StackedSupport(Episode stacked, int tasks) => new(stacked.SupportInputs, stacked.SupportTargets, tasks, true, stacked.Info.Ways, stacked.Info.Kind);

    /// <summary>The query side of a stacked episode (tensors with a leading task dimension).</summary>
    public static EpisodeSide StackedQuery(Episode stacked, int tasks) => new(stacked.QueryInputs, stacked.QueryTargets, tasks, true, stacked.Info.Ways, stacked.Info.Kind);

    /// <summary>This side with <paramref name="input"/> (e.g. its features) as its one input; the same targets.</summary>
    public EpisodeSide WithInput(Tensor input) => new(new[] { input }, Targets, Tasks, TaskBatched, Ways, Kind);

    /// <summary>
    /// Each task's mean loss of <paramref name="prediction"/> on this side's targets: <paramref name="loss"/>, or for
    /// <see cref="Loss.ByTaskKind"/> the loss of <see cref="Kind"/>; the targets are checked first (type, shape, head width).
    /// </summary>
    /// <returns>[T] when task-batched, a scalar otherwise; owned by the caller.</returns>
    public Tensor Loss(Tensor prediction, Loss loss) => loss.Resolve(Kind).PerTask(prediction, Targets, TaskBatched, IsClassification ? Ways : 0);

    /// <summary>The sum over tasks of <see cref="Loss"/> (the task's loss when not task-batched).</summary>
    public Tensor LossSum(Tensor prediction, Loss loss) => TaskBatched ? Loss(prediction, loss).sum() : Loss(prediction, loss);

    /// <summary>Each task's accuracy for classification (detached argmax), null for other kinds.</summary>
    public Tensor? Accuracy(Tensor prediction) => IsClassification ? TaskLoss.Accuracy(prediction.detach(), Targets, TaskBatched) : null;

    /// <summary>The model's weights for this batch: the parameters, expanded along the task dimension when batched.</summary>
    public IReadOnlyList<Tensor> InitialWeights(IReadOnlyList<Tensor> parameters)
    {
        if (!TaskBatched)
        {
            return parameters;
        }

        return parameters.Select(p => p.unsqueeze(0).expand(Prepend(Tasks, p.shape))).ToArray();
    }

    private static long[] Prepend(long first, long[] shape)
    {
        var result = new long[shape.Length + 1];
        result[0] = first;
        shape.CopyTo(result, 1);
        return result;
    }
}
