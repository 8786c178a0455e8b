using System.Globalization;
using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Algorithms;

/// <summary>
/// The loss a learner minimises on a task (inner loop and query): each task's mean over its examples. Choose it with
/// <see cref="InnerLoopOptions.Loss"/> (or the Loss option of the other algorithms). <see cref="ByTaskKind"/>, the
/// default, takes the loss from the episode's declared <see cref="TaskKind"/> (<see cref="For"/>): cross-entropy for
/// classification, the mean squared error for regression, binary cross-entropy on logits for multi-label tasks.
/// Every built-in loss checks the targets' type and shape against the predictions before computing anything, and
/// throws an <see cref="ArgumentException"/> that says what to change.
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
    private readonly TargetForm _targets;

    private Loss(string name, Func<Tensor, Tensor, Tensor>? perExample, TaskLossFunction? perTask, TargetForm targets, string? kind = null, double argument = 0)
    {
        Name = name;
        _perExample = perExample;
        _perTask = perTask;
        _targets = targets;
        Kind = kind;
        Argument = argument;
    }

    /// <summary>What targets a loss accepts.</summary>
    private enum TargetForm
    {
        /// <summary>Not a loss itself: resolved from the task kind.</summary>
        ByKind,

        /// <summary>Int64 class labels [N] for outputs [N, C].</summary>
        ClassLabels,

        /// <summary>Floating-point values shaped exactly like the outputs.</summary>
        Values,

        /// <summary>Anything (a custom loss checks its own targets).</summary>
        Unchecked,
    }

    /// <summary>A short description, e.g. <c>cross-entropy (label smoothing 0.1)</c>; numbers in the invariant culture.</summary>
    public string Name { get; }

    /// <summary>Which built-in loss this is (<c>crossEntropy</c>, <c>huber</c>, ...), as a learner file names it; null for a custom loss.</summary>
    internal string? Kind { get; }

    /// <summary>The built-in loss's parameter: the label smoothing of <c>crossEntropy</c>, the delta of <c>huber</c>; 0 for the others.</summary>
    internal double Argument { get; }

    /// <summary>
    /// The default: the loss of the episode's declared <see cref="TaskKind"/> (see <see cref="For"/>). It is not a loss by
    /// itself: <see cref="PerTask(Tensor, Tensor, bool)"/> needs a concrete loss, which the learners pick per episode.
    /// </summary>
    public static Loss ByTaskKind { get; } = new("by task kind: cross-entropy (classification), mean squared error (regression), binary cross-entropy with logits (multi-label)", null, null, TargetForm.ByKind, "byTaskKind");

    /// <summary>The mean squared error; targets are floating-point values shaped like the predictions.</summary>
    public static Loss MeanSquaredError { get; } = new("mean squared error", (p, t) => F.mse_loss(p, t, nn.Reduction.None), null, TargetForm.Values, "meanSquaredError");

    /// <summary>The mean absolute error (L1); targets are floating-point values shaped like the predictions.</summary>
    public static Loss L1 { get; } = new("mean absolute error", (p, t) => F.l1_loss(p, t, nn.Reduction.None), null, TargetForm.Values, "l1");

    /// <summary>Binary cross-entropy on logits, for multi-label tasks: targets are 0/1 (or soft) values shaped like the logits.</summary>
    public static Loss BinaryCrossEntropyWithLogits { get; } = new("binary cross-entropy with logits",
        (p, t) => F.binary_cross_entropy_with_logits(p, t, reduction: nn.Reduction.None), null, TargetForm.Values, "binaryCrossEntropyWithLogits");

    private static Loss PlainCrossEntropy { get; } = new("cross-entropy", (p, t) => F.cross_entropy(p, t, reduction: nn.Reduction.None), null, TargetForm.ClassLabels, "crossEntropy");

    /// <summary>The default loss of a task kind: cross-entropy, the mean squared error, or binary cross-entropy with logits.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a defined kind.</exception>
    public static Loss For(TaskKind kind) => kind switch
    {
        TaskKind.Classification => PlainCrossEntropy,
        TaskKind.Regression => MeanSquaredError,
        TaskKind.MultiLabel => BinaryCrossEntropyWithLogits,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Use TaskKind.Classification, Regression or MultiLabel."),
    };

    /// <summary>Cross-entropy over class logits [N, ways] with int64 labels [N].</summary>
    /// <param name="labelSmoothing">Share of the target mass spread uniformly over the classes; 0 to 1 (exclusive), default 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is outside [0, 1).</exception>
    public static Loss CrossEntropy(double labelSmoothing = 0)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "Label smoothing must be at least 0 and below 1 (e.g. 0.1).");
        }

        return labelSmoothing == 0
            ? PlainCrossEntropy
            : new Loss(
                string.Create(CultureInfo.InvariantCulture, $"cross-entropy (label smoothing {labelSmoothing})"),
                (p, t) => F.cross_entropy(p, t, reduction: nn.Reduction.None, label_smoothing: labelSmoothing),
                null,
                TargetForm.ClassLabels,
                "crossEntropy",
                labelSmoothing);
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

        return new Loss(string.Create(CultureInfo.InvariantCulture, $"Huber (delta {delta})"), (p, t) => F.huber_loss(p, t, delta, nn.Reduction.None), null, TargetForm.Values, "huber", delta);
    }

    /// <summary>A loss of your own, computed per task (task-batched passes call it once per task); its targets are not checked.</summary>
    /// <param name="name">A short description.</param>
    /// <param name="perTask">The task's mean loss from its predictions and targets; it must be differentiable.</param>
    public static Loss Custom(string name, TaskLossFunction perTask)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(perTask);
        return new Loss(name, null, perTask, TargetForm.Unchecked);
    }

    /// <summary>Whether the loss takes class labels (cross-entropy, a custom loss, or <see cref="ByTaskKind"/> on a classification task).</summary>
    internal bool TakesClassLabels => _targets is TargetForm.ClassLabels or TargetForm.Unchecked or TargetForm.ByKind;

    /// <summary>This loss, or for <see cref="ByTaskKind"/> the loss of <paramref name="kind"/>.</summary>
    public Loss Resolve(TaskKind kind) => _targets == TargetForm.ByKind ? For(kind) : this;

    /// <summary>Each task's mean loss: shape [T] when task-batched, a scalar otherwise.</summary>
    /// <returns>A tensor owned by the caller.</returns>
    /// <exception cref="ArgumentException">The targets do not fit this loss (type or shape); checked before any computation.</exception>
    /// <exception cref="InvalidOperationException">This is <see cref="ByTaskKind"/>: pick the concrete loss with <see cref="Resolve"/> first.</exception>
    public Tensor PerTask(Tensor prediction, Tensor targets, bool taskBatched) => PerTask(prediction, targets, taskBatched, 0);

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>
    /// <see cref="PerTask(Tensor, Tensor, bool)"/> that also checks a classification head against the episode's
    /// <paramref name="ways"/> (0: not checked).
    /// </summary>
    internal Tensor PerTask(Tensor prediction, Tensor targets, bool taskBatched, int ways)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(targets);
        CheckTargets(prediction, targets, taskBatched, ways);
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

        if (!taskBatched)
        {
            return _perExample!(prediction, targets).mean();
        }

        var flat = _perExample!(prediction.flatten(0, 1), targets.flatten(0, 1));
        return flat.view(prediction.shape[0], -1).mean(new long[] { 1 });
    }

    /// <summary>Checks the targets' type and shape against the predictions (tensor metadata only, no computation).</summary>
    private void CheckTargets(Tensor prediction, Tensor targets, bool taskBatched, int ways)
    {
        switch (_targets)
        {
            case TargetForm.ByKind:
                throw new InvalidOperationException(
                    "Loss.ByTaskKind is chosen per episode from its TaskKind; call loss.Resolve(episode.Info.Kind) (or Loss.For(kind)) to get the loss to compute.");
            case TargetForm.ClassLabels:
                CheckClassLabels(prediction, targets, taskBatched, ways);
                break;
            case TargetForm.Values:
                CheckValues(prediction, targets);
                break;
        }
    }

    private void CheckClassLabels(Tensor prediction, Tensor targets, bool taskBatched, int ways)
    {
        if (targets.dtype != ScalarType.Int64)
        {
            throw new ArgumentException(targets.is_floating_point()
                ? $"{Name} needs int64 class labels, but the targets are {targets.dtype} values. If the task is regression, declare it " +
                  "(EpisodeInfo Kind = TaskKind.Regression) and use a regression loss (Loss.MeanSquaredError, or Loss.ByTaskKind); if they are " +
                  "class labels, convert them with targets.to(ScalarType.Int64)."
                : $"{Name} needs int64 class labels, but the targets are {targets.dtype}; convert them with targets.to(ScalarType.Int64).",
                nameof(targets));
        }

        if (targets.dim() != prediction.dim() - 1 || !targets.shape.SequenceEqual(prediction.shape[..^1]))
        {
            throw new ArgumentException(
                $"{Name} takes one class label per example: labels shaped {Shape(prediction.shape[..^1])} for outputs {Shape(prediction.shape)}, " +
                $"but the labels are {Shape(targets.shape)}. Give the labels as a 1-D int64 tensor per task (e.g. targets.view(-1)).",
                nameof(targets));
        }

        long outputs = prediction.shape[^1];
        if (ways > outputs)
        {
            throw new ArgumentException(
                $"The task has {ways} classes (labels 0..{ways - 1}) but the model's head outputs {outputs} values per example, so labels from {outputs} on " +
                $"have no logit. Give the model a head of {ways} outputs (the last layer size), or sample {outputs}-way tasks.",
                nameof(targets));
        }
    }

    private void CheckValues(Tensor prediction, Tensor targets)
    {
        if (!targets.is_floating_point())
        {
            throw new ArgumentException(
                $"{Name} needs floating-point targets shaped like the model's output, but the targets are {targets.dtype}" +
                (targets.dtype == ScalarType.Int64 ? " (class labels?). For classification declare TaskKind.Classification and use Loss.CrossEntropy() or Loss.ByTaskKind" : "; convert them with targets.to(ScalarType.Float32)") + ".",
                nameof(targets));
        }

        if (!targets.shape.SequenceEqual(prediction.shape))
        {
            throw new ArgumentException(
                $"The targets have shape {Shape(targets.shape)} but the model outputs {Shape(prediction.shape)}; {Name} needs them equal " +
                "(broadcasting would compare every prediction with every target). Give the targets the output's shape " +
                "(e.g. values [N] as [N, 1] with targets.unsqueeze(-1)), or a model whose output has the targets' shape.",
                nameof(targets));
        }
    }

    private static string Shape(long[] shape) => $"[{string.Join(", ", shape)}]";
}
