using TorchSharp.Modules;

namespace MetaLearn.Models;

/// <summary>
/// ResNet-12, the few-shot vision backbone of TADAM (Oreshkin et al., 2018) and MetaOptNet (Lee et al., 2019), as a
/// functional model like <see cref="Mlp"/> and <see cref="Conv4"/>. Each of the four blocks is three 3x3 convolutions
/// without bias, each followed by batch norm, with leaky ReLUs between them; a 1x1 convolution and batch norm as the
/// shortcut; then leaky ReLU and 2x2 max-pooling after the sum. The features are average-pooled over space and
/// flattened, then a linear head follows when <see cref="ResNet12Options.Ways"/> is positive. DropBlock, which MetaOptNet
/// adds, is not included. The same network as a TorchSharp module (e.g. for a <see cref="Backbone"/>) comes from
/// <see cref="CreateModule"/>.
/// </summary>
public sealed class ResNet12 : FunctionalModel
{
    private readonly bool _taskBatching;

    /// <summary>
    /// Creates the network: the module of <see cref="CreateModule"/>, converted as <see cref="FunctionalModel.FromModule"/>
    /// converts it (parameter names follow the module: <c>block0.body.conv1.weight</c>, …; batch norm normalises with
    /// the support set's statistics), and the module disposed.
    /// </summary>
    /// <param name="options">Options; null for the defaults.</param>
    public ResNet12(ResNet12Options? options = null)
        : this(options ?? new ResNet12Options(), CreateModule(options))
    {
    }

    private ResNet12(ResNet12Options options, Sequential module)
        : base(options.Seed, options.DType)
    {
        Options = options;
        using (module)
        {
            try
            {
                using var noGrad = no_grad();
                var root = new ModuleConverter(this, new ModuleConversionOptions { Seed = options.Seed }).Convert(module, string.Empty);
                Root = root;
                _taskBatching = root.BatchesWithoutLoop;
                SetHeadStartInternal(root.HeadStart ?? Parameters.Count);
            }
            catch
            {
                Dispose();
                throw;
            }
        }
    }

    /// <summary>The options the network was built with.</summary>
    public ResNet12Options Options { get; }

    /// <inheritdoc />
    public override bool SupportsTaskBatching => _taskBatching;

    /// <summary>Creates the network as a TorchSharp module: <c>block0..block3</c>, <c>pool</c>, <c>flatten</c>[, <c>head</c>].</summary>
    /// <param name="options">Options; null for the defaults.</param>
    /// <returns>A new module the caller owns. Convolution and linear weights are drawn uniformly from ±1/sqrt(fan_in) with
    /// <see cref="ResNet12Options.Seed"/>; batch-norm scales are 1, shifts and the head's bias 0.</returns>
    public static Sequential CreateModule(ResNet12Options? options = null)
    {
        options ??= new ResNet12Options();
        using var generator = new Generator((ulong)options.Seed);
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        long inChannels = options.InputChannels;
        for (int b = 0; b < 4; b++)
        {
            long outChannels = options.Channels[b];
            var body = nn.Sequential(
                ("conv1", Conv(inChannels, outChannels, 3, options, generator)), ("bn1", nn.BatchNorm2d(outChannels, dtype: options.DType)), ("relu1", nn.LeakyReLU(options.NegativeSlope)),
                ("conv2", Conv(outChannels, outChannels, 3, options, generator)), ("bn2", nn.BatchNorm2d(outChannels, dtype: options.DType)), ("relu2", nn.LeakyReLU(options.NegativeSlope)),
                ("conv3", Conv(outChannels, outChannels, 3, options, generator)), ("bn3", nn.BatchNorm2d(outChannels, dtype: options.DType)));
            var shortcut = nn.Sequential(("conv", Conv(inChannels, outChannels, 1, options, generator)), ("bn", nn.BatchNorm2d(outChannels, dtype: options.DType)));
            var after = nn.Sequential(("relu", nn.LeakyReLU(options.NegativeSlope)), ("pool", nn.MaxPool2d(2)));
            modules.Add(($"block{b}", new ResidualBlock(body, shortcut, after)));
            inChannels = outChannels;
        }

        modules.Add(("pool", nn.AdaptiveAvgPool2d(1)));
        modules.Add(("flatten", nn.Flatten()));
        if (options.Ways > 0)
        {
            var head = nn.Linear(inChannels, options.Ways, dtype: options.DType);
            Initialise(head.weight!, inChannels, generator, head.bias);
            modules.Add(("head", head));
        }

        return nn.Sequential(modules.ToArray());
    }

    /// <inheritdoc />
    protected override Tensor Run(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context) =>
        RunLayers(ModelChecks.SingleInput(inputs, "ResNet-12"), weights, context);

    private static Conv2d Conv(long inChannels, long outChannels, long kernel, ResNet12Options options, Generator generator)
    {
        var conv = nn.Conv2d(inChannels, outChannels, kernel, padding: kernel / 2, bias: false, dtype: options.DType);
        Initialise(conv.weight!, inChannels * kernel * kernel, generator, null);
        return conv;
    }

    private static void Initialise(Parameter weight, long fanIn, Generator generator, Parameter? bias)
    {
        double bound = 1.0 / Math.Sqrt(fanIn);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        weight.copy_(empty(weight.shape, dtype: ScalarType.Float64).uniform_(-bound, bound, generator: generator));
        bias?.zero_();
    }
}
