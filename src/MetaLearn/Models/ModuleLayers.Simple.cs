using TorchSharp.Modules;
using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Models;

/// <summary>
/// Dropout drawing its mask from the pass's generator (<see cref="ForwardContext.Noise"/>: an adaptation's own) or
/// else the model's seeded one (<see cref="FunctionalModel.Noise"/>), so a seed gives the same masks; kept elements are
/// scaled by 1/(1-p) as in PyTorch. Identity in evaluation mode.
/// </summary>
internal sealed class DropoutLayer(double p) : ModuleLayer
{
    public override bool KeepsTrainingState => p > 0;

    public override Tensor Forward(Tensor x, LayerRun run)
    {
        if (!run.Context.Training || p == 0)
        {
            return x.alias();
        }

        if (p >= 1)
        {
            return x.mul(zeros_like(x));
        }

        var keep = empty_like(x).bernoulli_(1 - p, run.Context.Noise ?? run.Model.Noise);
        return x.mul(keep).Times(1.0 / (1 - p));
    }

    public override nn.Module<Tensor, Tensor> Export(FunctionalModel model) => nn.Dropout(p);
}

/// <summary>2-D max pooling; task-batched by merging the task and example dimensions.</summary>
internal sealed class MaxPool2dLayer(long[] kernel, long[] stride, long[] padding, long[] dilation, bool ceil) : ModuleLayer
{
    public override Tensor Forward(Tensor x, LayerRun run) => run.Batched ? Merged(x, Pool) : Pool(x);

    public override nn.Module<Tensor, Tensor> Export(FunctionalModel model) => nn.MaxPool2d(kernel, stride, padding, dilation, ceil);

    private Tensor Pool(Tensor x) => F.max_pool2d(x, kernel, stride, padding, dilation, ceil);
}

/// <summary>2-D average pooling; task-batched by merging the task and example dimensions.</summary>
internal sealed class AvgPool2dLayer(long[] kernel, long[] stride, long[] padding, bool ceil, bool countIncludePad, long? divisor) : ModuleLayer
{
    public override Tensor Forward(Tensor x, LayerRun run) => run.Batched ? Merged(x, Pool) : Pool(x);

    public override nn.Module<Tensor, Tensor> Export(FunctionalModel model) =>
        nn.AvgPool2d(kernel, stride, padding, ceil, countIncludePad, divisor);

    private Tensor Pool(Tensor x) => F.avg_pool2d(x, kernel, stride, padding, ceil, countIncludePad, divisor);
}

/// <summary>2-D adaptive average pooling; task-batched by merging the task and example dimensions.</summary>
internal sealed class AdaptiveAvgPool2dLayer(long[] size) : ModuleLayer
{
    public override Tensor Forward(Tensor x, LayerRun run) => run.Batched ? Merged(x, Pool) : Pool(x);

    public override nn.Module<Tensor, Tensor> Export(FunctionalModel model) => nn.AdaptiveAvgPool2d(size);

    private Tensor Pool(Tensor x) => F.adaptive_avg_pool2d(x, size);
}

/// <summary>Flattens dimensions start..end (shifted by one when task-batched).</summary>
internal sealed class FlattenLayer(long start, long end) : ModuleLayer
{
    public override Tensor Forward(Tensor x, LayerRun run) => x.flatten(Shift(start, run.Batched), Shift(end, run.Batched));

    public override nn.Module<Tensor, Tensor> Export(FunctionalModel model) => nn.Flatten(start, end);
}

/// <summary>The parameter-free element-wise (and soft-max) layers.</summary>
internal enum ActivationKind
{
    Identity,
    ReLU,
    LeakyReLU,
    ELU,
    GELU,
    SiLU,
    Tanh,
    Sigmoid,
    Softmax,
    LogSoftmax,
}

/// <summary>An activation; its numeric argument (slope, alpha) is held as a Scalar for the layer's lifetime.</summary>
internal sealed class ActivationLayer : ModuleLayer
{
    private readonly ActivationKind _kind;
    private readonly double _value;
    private readonly long _dim;
    private readonly GELU.Approximate _approximate;
    private readonly Scalar _scalar;
    private readonly Scalar _one;

    public ActivationLayer(ActivationKind kind, double value = 0, long dim = -1, GELU.Approximate approximate = GELU.Approximate.none)
    {
        _kind = kind;
        _value = value;
        _dim = dim;
        _approximate = approximate;
        _scalar = value.ToScalar();
        _one = 1.0.ToScalar();
    }

    /// <summary>The activation function.</summary>
    public ActivationKind Kind => _kind;

    public override Tensor Forward(Tensor x, LayerRun run) => _kind switch
    {
        ActivationKind.Identity => x.alias(),
        ActivationKind.ReLU => F.relu(x),
        ActivationKind.LeakyReLU => x.leaky_relu(_scalar),
        ActivationKind.ELU => x.elu(_scalar, _one, _one),
        ActivationKind.GELU => x.gelu(_approximate),
        ActivationKind.SiLU => x.silu(),
        ActivationKind.Tanh => x.tanh(),
        ActivationKind.Sigmoid => x.sigmoid(),
        ActivationKind.Softmax => x.softmax(Shift(_dim, run.Batched)),
        _ => x.log_softmax(Shift(_dim, run.Batched)),
    };

    public override nn.Module<Tensor, Tensor> Export(FunctionalModel model) => _kind switch
    {
        ActivationKind.Identity => nn.Identity(),
        ActivationKind.ReLU => nn.ReLU(),
        ActivationKind.LeakyReLU => nn.LeakyReLU(_value),
        ActivationKind.ELU => nn.ELU(_value),
        ActivationKind.GELU => nn.GELU(_approximate),
        ActivationKind.SiLU => nn.SiLU(),
        ActivationKind.Tanh => nn.Tanh(),
        ActivationKind.Sigmoid => nn.Sigmoid(),
        ActivationKind.Softmax => nn.Softmax(_dim),
        _ => nn.LogSoftmax(_dim),
    };
}
