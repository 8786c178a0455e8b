namespace MetaLearn.Algorithms;

/// <summary>
/// Per-task losses and accuracies. Task-batched tensors carry a leading task dimension; per-task tensors are one task.
/// </summary>
internal static class TaskLoss
{
    /// <summary>Each task's mean <paramref name="loss"/>: shape [T] when task-batched, a scalar otherwise.</summary>
    /// <param name="prediction">The model's outputs.</param>
    /// <param name="targets">The targets, checked against the loss (type and shape) before anything is computed.</param>
    /// <param name="taskBatched">Whether both carry a leading task dimension.</param>
    /// <param name="loss">A concrete loss (for <see cref="Loss.ByTaskKind"/>, resolve it with the task's kind first).</param>
    /// <returns>A tensor owned by the caller.</returns>
    public static Tensor PerTask(Tensor prediction, Tensor targets, bool taskBatched, Loss loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return loss.PerTask(prediction, targets, taskBatched);
    }

    /// <summary>The sum over tasks of each task's mean loss (the mean loss when not task-batched).</summary>
    /// <returns>A scalar tensor owned by the caller.</returns>
    public static Tensor Sum(Tensor prediction, Tensor targets, bool taskBatched, Loss loss) =>
        taskBatched ? PerTask(prediction, targets, true, loss).sum() : PerTask(prediction, targets, false, loss);

    /// <summary>Each task's share of correct argmax predictions: shape [T] when task-batched, a scalar otherwise.</summary>
    /// <returns>A tensor owned by the caller.</returns>
    public static Tensor Accuracy(Tensor prediction, Tensor targets, bool taskBatched)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(targets);
        var correct = prediction.argmax(-1).eq(targets).to(ScalarType.Float64);
        return taskBatched ? correct.mean(new long[] { 1 }) : correct.mean();
    }
}
