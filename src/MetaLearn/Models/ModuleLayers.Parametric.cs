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
