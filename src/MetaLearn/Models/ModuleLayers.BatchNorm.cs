using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Models;

/// <summary>Indices of one set of batch-norm running statistics (mean, variance, batches seen).</summary>
internal readonly record struct RunningStatistics(int Mean, int Variance, int Count);

/// <summary>
/// Batch normalisation with optional affine scale and shift, normalising as <see cref="Mode"/> says (see
/// <see cref="BatchNormStatistics"/>); with several sets (MAML++ per-step batch norm), step s uses set
/// min(s, sets − 1), for the scale and shift and for the statistics. Task-batched, each task is normalised with its
/// own statistics.
/// </summary>
internal sealed class BatchNormLayer : ModuleLayer
{
    private readonly int _dims;
    private readonly long _features;
    private readonly IReadOnlyList<(int? Scale, int? Shift)> _sets;
    private readonly IReadOnlyList<RunningStatistics> _statistics;
    private readonly double _eps;
    private readonly double? _momentum;
    private readonly Scalar _epsScalar;

    /// <param name="dims">1 (BatchNorm1d) or 2 (BatchNorm2d), for the export.</param>
    /// <param name="features">The channels.</param>
    /// <param name="sets">Scale and shift parameter indices per set (null where the layer is not affine).</param>
    /// <param name="statistics">Running-statistics buffer indices per set; given exactly when <paramref name="mode"/> is Running.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <param name="momentum">Of the running statistics; null for a cumulative average.</param>
    /// <param name="mode">Which statistics the layer normalises with.</param>
    public BatchNormLayer(int dims, long features, IReadOnlyList<(int? Scale, int? Shift)> sets, IReadOnlyList<RunningStatistics> statistics, double eps, double? momentum, BatchNormStatistics mode)
    {
        if ((mode == BatchNormStatistics.Running) != (statistics.Count > 0))
        {
            throw new ArgumentException($"A {mode} batch norm {(statistics.Count > 0 ? "keeps no" : "needs")} running statistics.", nameof(statistics));
        }

        _dims = dims;
        _features = features;
        _sets = sets;
        _statistics = statistics;
        _eps = eps;
        _momentum = momentum;
        _epsScalar = eps.ToScalar();
        Mode = mode;
    }

    /// <summary>Which statistics the layer normalises with.</summary>
    public BatchNormStatistics Mode { get; }

    public override bool BatchesWithoutLoop => false;

    public override IEnumerable<int> ParameterIndices => _sets.SelectMany(s => new[] { s.Scale, s.Shift }).OfType<int>();

    public override bool UsesBatchNorm(BatchNormStatistics statistics) => Mode == statistics;

    public override bool KeepsTrainingState => Mode == BatchNormStatistics.Running;

    /// <summary>Whether parameter <paramref name="index"/> belongs to this layer and is unused at <paramref name="step"/>.</summary>
    public bool IsUnusedAt(int index, int step)
    {
        int used = Math.Min(step, _sets.Count - 1);
        for (int s = 0; s < _sets.Count; s++)
        {
            if (s != used && (_sets[s].Scale == index || _sets[s].Shift == index))
            {
                return true;
            }
        }

        return false;
    }

    public override Tensor Forward(Tensor x, LayerRun run)
    {
        int set = Math.Min(run.Context.Step, _sets.Count - 1);
        var (scaleIndex, shiftIndex) = _sets[set];
        var scale = scaleIndex is int a ? run.Weights[a] : null;
        var shift = shiftIndex is int b ? run.Weights[b] : null;
        return Mode switch
        {
            BatchNormStatistics.Support => WithSupportStatistics(x, scale, shift, set, run),
            BatchNormStatistics.Running => WithRunningStatistics(x, scale, shift, set, run),
            _ => WithBatchStatistics(x, scale, shift, run, update: null),
        };
    }

    public override nn.Module<Tensor, Tensor> Export(FunctionalModel model)
    {
        var (scaleIndex, shiftIndex) = _sets[^1];
        bool affine = scaleIndex is not null;
        bool track = _statistics.Count > 0;
        var module = _dims == 1
            ? (TorchSharp.Modules.BatchNorm)nn.BatchNorm1d(_features, _eps, _momentum ?? 0.1, affine, track, model.Device, model.DType)
            : nn.BatchNorm2d(_features, _eps, _momentum ?? 0.1, affine, track, model.Device, model.DType);
        if (_momentum is null)
        {
            module.momentum = null;
        }

        if (scaleIndex is int a)
        {
            CopyInto(module.weight, model.Parameters[a], "weight");
        }

        if (shiftIndex is int b)
        {
            CopyInto(module.bias, model.Parameters[b], "bias");
        }

        if (track)
        {
            var stats = _statistics[^1];
            CopyInto(module.running_mean, model.Buffers[stats.Mean], "running_mean");
            CopyInto(module.running_var, model.Buffers[stats.Variance], "running_var");
            CopyInto(module.num_batches_tracked, model.Buffers[stats.Count], "num_batches_tracked");
        }

        return module;
    }

    /// <summary>
    /// Support mode: with no statistics in the pass, the batch's own (a support pass); collecting, the batch's own,
    /// recorded; applying, the recorded ones.
    /// </summary>
    private Tensor WithSupportStatistics(Tensor x, Tensor? scale, Tensor? shift, int set, LayerRun run)
    {
        var statistics = run.Context.Statistics;
        if (statistics is null)
        {
            return WithBatchStatistics(x, scale, shift, run, update: null);
        }

        if (statistics.Collecting)
        {
            var dims = ReducedDimensions(x, run.Batched);
            var (variance, mean) = x.var_mean(dims, unbiased: false, keepdim: true);
            statistics.Record(this, set, mean, variance);
            return Normalise(x, mean, variance, scale, shift, run.Batched);
        }

        return statistics.TryGet(this, set, out var recordedMean, out var recordedVariance)
            ? Normalise(x, recordedMean, recordedVariance, scale, shift, run.Batched)
            : throw Missing("the support set's statistics");
    }

    /// <summary>
    /// Running mode: a frozen copy when the pass applies one (an adapted model's prediction); the batch's statistics,
    /// unchanged, when adapting (a collecting adaptation pass also copies them); the running statistics in evaluation
    /// mode; the batch's statistics, updating the running ones, in training mode.
    /// </summary>
    private Tensor WithRunningStatistics(Tensor x, Tensor? scale, Tensor? shift, int set, LayerRun run)
    {
        var context = run.Context;
        var statistics = context.Statistics;
        if (statistics is { Collecting: false } && statistics.TryGet(this, set, out var frozenMean, out var frozenVariance))
        {
            return WithGivenStatistics(x, scale, shift, frozenMean, frozenVariance, run.Batched);
        }

        var running = _statistics[Math.Min(context.Step, _statistics.Count - 1)];
        var buffers = run.Model.Buffers;
        if (context.Adapting)
        {
            if (statistics is { Collecting: true, CopiesRunning: true })
            {
                statistics.Record(this, set, buffers[running.Mean].detach().clone(), buffers[running.Variance].detach().clone());
            }

            return WithBatchStatistics(x, scale, shift, run, update: null);
        }

        if (!context.Training)
        {
            return statistics is null || statistics.Collecting
                ? WithGivenStatistics(x, scale, shift, buffers[running.Mean], buffers[running.Variance], run.Batched)
                : throw Missing("a copy of its running statistics");
        }

        return WithBatchStatistics(x, scale, shift, run, update: running);
    }

    /// <summary>F.batch_norm with the batch's statistics, per task when task-batched; with <paramref name="update"/>, the running statistics are updated as TorchSharp's BatchNorm module does.</summary>
    private Tensor WithBatchStatistics(Tensor x, Tensor? scale, Tensor? shift, LayerRun run, RunningStatistics? update)
    {
        if (!run.Batched)
        {
            return BatchNormalise(x, scale, shift, run, update);
        }

        return PerTask(x, (xt, t) => BatchNormalise(xt, scale?[t], shift?[t], run, update));
    }

    private Tensor BatchNormalise(Tensor x, Tensor? scale, Tensor? shift, LayerRun run, RunningStatistics? update)
    {
        if (update is not RunningStatistics s)
        {
            return F.batch_norm(x, null, null, scale, shift, training: true, eps: _eps);
        }

        // As TorchSharp's BatchNorm module: count the batch, then average with the momentum (or cumulatively without one).
        var buffers = run.Model.Buffers;
        var count = buffers[s.Count];
        using (no_grad())
        {
            using var one = 1.ToScalar();
            count.add_(one, one);
        }

        // Reading the count synchronises with the device, so only the cumulative average (no momentum) does it.
        double factor = _momentum ?? (1.0 / count.ReadDouble());

        return F.batch_norm(x, buffers[s.Mean], buffers[s.Variance], scale, shift, training: true, momentum: factor, eps: _eps);
    }

    /// <summary>F.batch_norm in evaluation mode with given statistics [C] (per task when task-batched).</summary>
    private Tensor WithGivenStatistics(Tensor x, Tensor? scale, Tensor? shift, Tensor mean, Tensor variance, bool batched) => batched
        ? PerTask(x, (xt, t) => F.batch_norm(xt, mean, variance, scale?[t], shift?[t], training: false, eps: _eps))
        : F.batch_norm(x, mean, variance, scale, shift, training: false, eps: _eps);

    /// <summary>
    /// (x − mean) / sqrt(variance + eps) · scale + shift with statistics shaped by <see cref="ReducedDimensions"/>
    /// (kept dimensions), differentiable in the statistics (libtorch's batch_norm is not, in its running statistics).
    /// </summary>
    private Tensor Normalise(Tensor x, Tensor mean, Tensor variance, Tensor? scale, Tensor? shift, bool batched)
    {
        var y = (x - mean) * variance.Plus(_epsScalar).rsqrt();
        if (scale is not null)
        {
            y = y * PerChannel(scale, x, batched);
        }

        return shift is null ? y : y.Plus(PerChannel(shift, x, batched));
    }

    /// <summary>The dimensions statistics are taken over: every one but the channel (and the task when batched).</summary>
    private static long[] ReducedDimensions(Tensor x, bool batched)
    {
        int channel = batched ? 2 : 1;
        return Enumerable.Range(batched ? 1 : 0, (int)x.dim() - (batched ? 1 : 0)).Where(d => d != channel).Select(d => (long)d).ToArray();
    }

    /// <summary>A per-channel parameter [C] (or [T, C]) viewed to broadcast against x [N, C, ...] (or [T, N, C, ...]).</summary>
    private static Tensor PerChannel(Tensor p, Tensor x, bool batched)
    {
        var shape = Enumerable.Repeat(1L, (int)x.dim()).ToArray();
        shape[batched ? 2 : 1] = p.shape[^1];
        if (batched)
        {
            shape[0] = p.shape[0];
        }

        return p.view(shape);
    }

    private InvalidOperationException Missing(string what) => new(
        $"A batch-norm layer ({_features} channels, {Mode} statistics) was asked to normalise with {what} but the pass carries none: " +
        "the model that holds it did not report it through IFunctionalModel.UsesBatchNormStatistics (a model wrapping other models must forward that member to them).");
}
