using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Algorithms;

/// <summary>
/// Per-task losses and accuracies. The loss is the <c>loss</c> argument when given; otherwise
/// <see cref="Loss.ByTargetType"/> (classification, int64 targets, uses cross-entropy, regression the mean squared
/// error). Task-batched tensors carry a leading task dimension; per-task tensors are one task.
/// </summary>
public static class TaskLoss
{
    /// <summary>Each task's mean loss: shape [T] when task-batched, a scalar otherwise.</summary>
    /// <returns>A tensor owned by the caller.</returns>
    public static Tensor PerTask(Tensor prediction, Tensor targets, bool taskBatched, Loss? loss = null)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(targets);
        bool classification = targets.dtype == ScalarType.Int64;
        if (loss is not null && !ReferenceEquals(loss, Loss.ByTargetType))
        {
            return loss.PerTask(prediction, targets, taskBatched);
        }

        if (!taskBatched)
        {
            return classification ? F.cross_entropy(prediction, targets) : F.mse_loss(prediction, targets);
        }

        long tasks = prediction.shape[0];
        if (classification)
        {
            var flat = F.cross_entropy(prediction.flatten(0, 1), targets.flatten(), reduction: nn.Reduction.None);
            return flat.view(tasks, -1).mean(new long[] { 1 });
        }

        return (prediction - targets).Squared().view(tasks, -1).mean(new long[] { 1 });
    }

    /// <summary>The sum over tasks of each task's mean loss (the mean loss when not task-batched).</summary>
    /// <returns>A scalar tensor owned by the caller.</returns>
    public static Tensor Sum(Tensor prediction, Tensor targets, bool taskBatched, Loss? loss = null) =>
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
