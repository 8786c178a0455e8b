using TorchSharp.Modules;
using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Models;

/// <summary>y = x Wᵀ + b; task-batched as one batched matrix product.</summary>
internal sealed class LinearLayer(int weight, int? bias) : ModuleLayer
{
    public override IEnumerable<int> ParameterIndices => bias is int b ? new[] { weight, b } : new[] { weight };

    public override Tensor Forward(Tensor x, LayerRun run)
    {
        var w = run.Weights[weight];
        var b = bias is int i ? run.Weights[i] : null;
        if (!run.Batched)
        {
            return F.linear(x, w, b);
        }

        var flat = x.dim() == 3 ? x : x.reshape(x.shape[0], -1, x.shape[^1]);
        var y = b is null ? flat.bmm(w.transpose(1, 2)) : Layers.Linear(flat, w, b, taskBatched: true);
        if (x.dim() == 3)
        {
            return y;
        }

        var shape = x.shape.ToArray();
        shape[^1] = w.shape[1];
        return y.view(shape);
    }

    public override nn.Module<Tensor, Tensor> Export(FunctionalModel model)
    {
        var w = model.Parameters[weight];
        var module = nn.Linear(w.shape[1], w.shape[0], hasBias: bias is not null, device: model.Device, dtype: model.DType);
        CopyInto(module.weight, w, "weight");
        if (bias is int b)
        {
            CopyInto(module.bias, model.Parameters[b], "bias");
        }

        return module;
    }
}

/// <summary>1-D or 2-D convolution (stride, zero padding, dilation, groups, optional bias); task-batched by a loop over tasks.</summary>
internal sealed class ConvLayer(int dims, int weight, int? bias, long[] stride, long[] padding, long[] dilation, long groups) : ModuleLayer
{
    public override bool BatchesWithoutLoop => false;

    public override IEnumerable<int> ParameterIndices => bias is int b ? new[] { weight, b } : new[] { weight };

    public override Tensor Forward(Tensor x, LayerRun run)
    {
        var w = run.Weights[weight];
        var b = bias is int i ? run.Weights[i] : null;
        if (!run.Batched)
        {
            return Convolve(x, w, b);
        }

        return PerTask(x, (xt, t) => Convolve(xt, w[t], b?[t]));
    }

    public override nn.Module<Tensor, Tensor> Export(FunctionalModel model)
    {
        var w = model.Parameters[weight];
        long inChannels = w.shape[1] * groups;
        nn.Module<Tensor, Tensor> module;
        Parameter? exportedWeight;
        Parameter? exportedBias;
        if (dims == 1)
        {
            var conv = nn.Conv1d(inChannels, w.shape[0], w.shape[2], stride: stride[0], padding: padding[0], dilation: dilation[0],
                groups: groups, bias: bias is not null, device: model.Device, dtype: model.DType);
            (module, exportedWeight, exportedBias) = (conv, conv.weight, conv.bias);
        }
        else
        {
            var conv = nn.Conv2d(inChannels, w.shape[0], (w.shape[2], w.shape[3]), stride: (stride[0], stride[1]),
                padding: (padding[0], padding[1]), dilation: (dilation[0], dilation[1]), groups: groups,
                bias: bias is not null, device: model.Device, dtype: model.DType);
            (module, exportedWeight, exportedBias) = (conv, conv.weight, conv.bias);
        }

        CopyInto(exportedWeight, w, "weight");
        if (bias is int b)
        {
            CopyInto(exportedBias, model.Parameters[b], "bias");
        }

        return module;
    }

    private Tensor Convolve(Tensor x, Tensor w, Tensor? b) => dims == 1
        ? F.conv1d(x, w, b, stride[0], padding[0], dilation[0], groups)
        : F.conv2d(x, w, b, stride, padding, dilation, groups);
}

/// <summary>Indices of one set of batch-norm running statistics (mean, variance, batches seen).</summary>
internal readonly record struct RunningStatistics(int Mean, int Variance, int Count);

/// <summary>
/// Batch normalisation with optional affine scale and shift and optional running statistics; with several sets
/// (MAML++ per-step batch norm), step s uses set min(s, sets - 1), and likewise for the running statistics.
/// Task-batched by a loop over tasks (each task is normalised over its own examples).
/// </summary>
internal sealed class BatchNormLayer(int dims, long features, IReadOnlyList<(int? Scale, int? Shift)> sets, IReadOnlyList<RunningStatistics> statistics, double eps, double? momentum) : ModuleLayer
{
    public override bool BatchesWithoutLoop => false;

    public override IEnumerable<int> ParameterIndices => sets.SelectMany(s => new[] { s.Scale, s.Shift }).OfType<int>();

    /// <summary>Whether parameter <paramref name="index"/> belongs to this layer and is unused at <paramref name="step"/>.</summary>
    public bool IsUnusedAt(int index, int step)
    {
        int used = Math.Min(step, sets.Count - 1);
        for (int s = 0; s < sets.Count; s++)
        {
            if (s != used && (sets[s].Scale == index || sets[s].Shift == index))
            {
                return true;
            }
        }

        return false;
    }

    public override Tensor Forward(Tensor x, LayerRun run)
    {
        var (scaleIndex, shiftIndex) = sets[Math.Min(run.Context.Step, sets.Count - 1)];
        var scale = scaleIndex is int a ? run.Weights[a] : null;
        var shift = shiftIndex is int b ? run.Weights[b] : null;
        RunningStatistics? stats = statistics.Count == 0 ? null : statistics[Math.Min(run.Context.Step, statistics.Count - 1)];
        if (!run.Batched)
        {
            return Normalise(x, scale, shift, stats, run);
        }

        return PerTask(x, (xt, t) => Normalise(xt, scale?[t], shift?[t], stats, run));
    }

    public override nn.Module<Tensor, Tensor> Export(FunctionalModel model)
    {
        var (scaleIndex, shiftIndex) = sets[^1];
        bool affine = scaleIndex is not null;
        bool track = statistics.Count > 0;
        var module = dims == 1
            ? (TorchSharp.Modules.BatchNorm)nn.BatchNorm1d(features, eps, momentum ?? 0.1, affine, track, model.Device, model.DType)
            : nn.BatchNorm2d(features, eps, momentum ?? 0.1, affine, track, model.Device, model.DType);
        if (momentum is null)
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
            var stats = statistics[^1];
            CopyInto(module.running_mean, model.Buffers[stats.Mean], "running_mean");
            CopyInto(module.running_var, model.Buffers[stats.Variance], "running_var");
            CopyInto(module.num_batches_tracked, model.Buffers[stats.Count], "num_batches_tracked");
        }

        return module;
    }

    private Tensor Normalise(Tensor x, Tensor? scale, Tensor? shift, RunningStatistics? stats, LayerRun run)
    {
        if (stats is not RunningStatistics s)
        {
            return F.batch_norm(x, null, null, scale, shift, training: true, eps: eps);
        }

        var buffers = run.Model.Buffers;
        if (!run.Context.Training)
        {
            return F.batch_norm(x, buffers[s.Mean], buffers[s.Variance], scale, shift, training: false, eps: eps);
        }

        // As TorchSharp's BatchNorm module: count the batch, then average with the momentum (or cumulatively without one).
        var count = buffers[s.Count];
        using (no_grad())
        {
            using var one = 1.ToScalar();
            count.add_(one, one);
        }

        // Reading the count synchronises with the device, so only the cumulative average (no momentum) does it.
        double factor = momentum ?? (1.0 / count.ReadDouble());

        return F.batch_norm(x, buffers[s.Mean], buffers[s.Variance], scale, shift, training: true, momentum: factor, eps: eps);
    }
}
