using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Algorithms;

/// <summary>
/// The loss a learner minimises on a task (inner loop and query): each task's mean over its examples. Choose it with
/// <see cref="InnerLoopOptions.Loss"/>. <see cref="ByTargetType"/>, the default, is cross-entropy for class labels
/// (int64 targets) and the mean squared error otherwise, which is what every earlier version did.
/// </summary>
public sealed class Loss
{
    /// <summary>A task's loss from its predictions and targets, both without a task dimension; returns a scalar tensor.</summary>
    /// <param name="prediction">The model's output for one task, e.g. [N, ways] logits or [N, 1] values.</param>
    /// <param name="targets">That task's targets as the episode holds them.</param>
    /// <returns>A scalar tensor (the task's mean loss), owned by the caller.</returns>
    public delegate Tensor TaskLossFunction(Tensor prediction, Tensor targets);

    private readonly Func<Tensor, Tensor, Tensor>? _perExample;
    private readonly TaskLossFunction? _perTask;

    private Loss(string name, Func<Tensor, Tensor, Tensor>? perExample, TaskLossFunction? perTask)
    {
        Name = name;
        _perExample = perExample;
        _perTask = perTask;
    }

    /// <summary>A short description, e.g. <c>cross-entropy (label smoothing 0.1)</c>.</summary>
    public string Name { get; }

    /// <summary>Cross-entropy for int64 class labels and the mean squared error for any other targets (the default).</summary>
    public static Loss ByTargetType { get; } = new("cross-entropy for class labels, else mean squared error", null, null);

    /// <summary>The mean squared error.</summary>
    public static Loss MeanSquaredError { get; } = new("mean squared error", (p, t) => F.mse_loss(p, t, nn.Reduction.None), null);

    /// <summary>The mean absolute error (L1).</summary>
    public static Loss L1 { get; } = new("mean absolute error", (p, t) => F.l1_loss(p, t, nn.Reduction.None), null);

    /// <summary>Binary cross-entropy on logits, for multi-label tasks: targets are 0/1 (or soft) values shaped like the logits.</summary>
    public static Loss BinaryCrossEntropyWithLogits { get; } = new("binary cross-entropy with logits",
        (p, t) => F.binary_cross_entropy_with_logits(p, t, reduction: nn.Reduction.None), null);

    /// <summary>Cross-entropy over class logits [N, ways] with int64 labels [N].</summary>
    /// <param name="labelSmoothing">Share of the target mass spread uniformly over the classes; 0 to 1 (exclusive), default 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is outside [0, 1).</exception>
    public static Loss CrossEntropy(double labelSmoothing = 0)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "Label smoothing must be at least 0 and below 1 (e.g. 0.1).");
        }

        string name = labelSmoothing == 0 ? "cross-entropy" : $"cross-entropy (label smoothing {labelSmoothing})";
        return new Loss(name, (p, t) => F.cross_entropy(p, t, reduction: nn.Reduction.None, label_smoothing: labelSmoothing), null);
    }

    /// <summary>The Huber loss: quadratic within <paramref name="delta"/> of the target, linear beyond.</summary>
    /// <param name="delta">Where the loss turns linear; positive and finite, default 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is not positive and finite.</exception>
    public static Loss Huber(double delta = 1)
    {
        if (!(delta > 0 && double.IsFinite(delta)))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "The Huber delta must be positive and finite (e.g. 1).");
        }

        return new Loss($"Huber (delta {delta})", (p, t) => F.huber_loss(p, t, delta, nn.Reduction.None), null);
    }

    /// <summary>A loss of your own, computed per task (task-batched passes call it once per task).</summary>
    /// <param name="name">A short description.</param>
    /// <param name="perTask">The task's mean loss from its predictions and targets; it must be differentiable.</param>
    public static Loss Custom(string name, TaskLossFunction perTask)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(perTask);
        return new Loss(name, null, perTask);
    }

    /// <summary>Each task's mean loss: shape [T] when task-batched, a scalar otherwise.</summary>
    /// <returns>A tensor owned by the caller.</returns>
    public Tensor PerTask(Tensor prediction, Tensor targets, bool taskBatched)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(targets);
        if (_perTask is not null)
        {
            if (!taskBatched)
            {
                return _perTask(prediction, targets);
            }

            var losses = new Tensor[prediction.shape[0]];
            for (int t = 0; t < losses.Length; t++)
            {
                losses[t] = _perTask(prediction[t], targets[t]);
            }

            return stack(losses);
        }

        var perExample = _perExample ?? (targets.dtype == ScalarType.Int64 ? CrossEntropyPerExample : MeanSquaredError._perExample!);
        if (!taskBatched)
        {
            return perExample(prediction, targets).mean();
        }

        var flat = perExample(prediction.flatten(0, 1), targets.flatten(0, 1));
        return flat.view(prediction.shape[0], -1).mean(new long[] { 1 });
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private static Tensor CrossEntropyPerExample(Tensor p, Tensor t) => F.cross_entropy(p, t, reduction: nn.Reduction.None);
}
