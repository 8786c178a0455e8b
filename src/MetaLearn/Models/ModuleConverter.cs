using TorchSharp.Modules;

namespace MetaLearn.Models;

/// <summary>Walks a TorchSharp module tree, registers copies of its parameters and buffers, and builds the layer tree.</summary>
internal sealed class ModuleConverter
{
    private readonly FunctionalModel _model;
    private readonly ModuleConversionOptions _options;

    public ModuleConverter(FunctionalModel model, ModuleConversionOptions options)
    {
        _model = model;
        _options = options;
    }

    public ModuleLayer Convert(nn.Module module, string path) => module switch
    {
        Sequential sequential => new SequentialLayer(sequential.named_children()
            .Select(c => (c.name, Convert(c.module, Join(path, c.name)))).ToArray()),
        ResidualBlock block => new ResidualLayer(
            Convert(block.Body, Join(path, "body")),
            block.Shortcut is null ? null : Convert(block.Shortcut, Join(path, "shortcut")),
            block.After is null ? null : Convert(block.After, Join(path, "after"))),
        Linear linear => new LinearLayer(Add(path, "weight", linear.weight), AddOptional(path, "bias", linear.bias)),
        Conv1d conv => Convolution(conv, path, 1),
        Conv2d conv => Convolution(conv, path, 2),
        BatchNorm1d norm => BatchNorm(norm, path, 1),
        BatchNorm2d norm => BatchNorm(norm, path, 2),
        LayerNorm norm => new LayerNormLayer(norm.normalized_shape.ToArray(), AddOptional(path, "weight", norm.weight),
            AddOptional(path, "bias", norm.bias), norm.eps),
        GroupNorm norm => new GroupNormLayer(norm.num_groups, (norm.weight ?? throw Unsupported(path, module, "a GroupNorm without affine parameters (its channel count is not readable)")).shape[0],
            AddOptional(path, "weight", norm.weight), AddOptional(path, "bias", norm.bias), norm.eps),
        Embedding embedding => new EmbeddingLayer(Add(path, "weight", embedding.weight)),
        Dropout dropout => dropout.p is >= 0 and <= 1 ? new DropoutLayer(dropout.p) : throw Unsupported(path, module, $"a dropout probability of {dropout.p}"),
        MaxPool2d pool => new MaxPool2dLayer(pool.kernel_size, pool.stride ?? pool.kernel_size, pool.padding ?? new long[] { 0, 0 },
            pool.dilation ?? new long[] { 1, 1 }, pool.ceil_mode),
        AvgPool2d pool => new AvgPool2dLayer(pool.kernel_size, pool.stride ?? pool.kernel_size, pool.padding ?? new long[] { 0, 0 },
            pool.ceil_mode, pool.count_include_pad, pool.divisor_override),
        AdaptiveAvgPool2d pool => new AdaptiveAvgPool2dLayer(pool.output_size),
        Flatten flatten => new FlattenLayer(flatten.start_dim, flatten.end_dim),
        Identity => new ActivationLayer(ActivationKind.Identity),
        ReLU => new ActivationLayer(ActivationKind.ReLU),
        LeakyReLU leaky => new ActivationLayer(ActivationKind.LeakyReLU, leaky.negative_slope),
        ELU elu => new ActivationLayer(ActivationKind.ELU, elu.alpha),
        GELU gelu => new ActivationLayer(ActivationKind.GELU, approximate: gelu.approximate),
        SiLU => new ActivationLayer(ActivationKind.SiLU),
        Tanh => new ActivationLayer(ActivationKind.Tanh),
        Sigmoid => new ActivationLayer(ActivationKind.Sigmoid),
        Softmax softmax => new ActivationLayer(ActivationKind.Softmax, dim: softmax.dim),
        LogSoftmax logSoftmax => new ActivationLayer(ActivationKind.LogSoftmax, dim: logSoftmax.dim),
        _ => throw Unsupported(path, module, null),
    };

    private ConvLayer Convolution(Convolution conv, string path, int dims)
    {
        if (conv.padding_mode != PaddingModes.Zeros)
        {
            throw Unsupported(path, conv, $"padding mode {conv.padding_mode} (only zero padding)");
        }

        long[] kernel = conv.kernel_size;
        long[] dilation = conv.dilation ?? Enumerable.Repeat(1L, dims).ToArray();
        long[] padding;
        if (conv.padding_type == Padding.Valid)
        {
            padding = new long[dims];
        }
        else if (conv.padding_type == Padding.Same)
        {
            padding = new long[dims];
            for (int d = 0; d < dims; d++)
            {
                long total = dilation[d] * (kernel[d] - 1);
                if (total % 2 != 0)
                {
                    throw Unsupported(path, conv, "padding 'same' with an even kernel (asymmetric padding); give explicit padding instead");
                }

                padding[d] = total / 2;
            }
        }
        else
        {
            padding = conv.padding ?? new long[dims];
        }

        var stride = conv.stride ?? Enumerable.Repeat(1L, dims).ToArray();
        return new ConvLayer(dims, Add(path, "weight", conv.weight), AddOptional(path, "bias", conv.bias), stride, padding, dilation, conv.groups);
    }

    private BatchNormLayer BatchNorm(BatchNorm norm, string path, int dims)
    {
        var scale = AddOptional(path, "weight", norm.weight);
        var shift = AddOptional(path, "bias", norm.bias);
        var statistics = new List<RunningStatistics>();
        bool running = norm is { running_mean: not null, running_var: not null };
        if (norm is { running_mean: { } runningMean, running_var: { } runningVariance })
        {
            var count = norm.num_batches_tracked ?? zeros(1);
            statistics.Add(new RunningStatistics(
                _model.AddBufferInternal(Join(path, "running_mean"), runningMean),
                _model.AddBufferInternal(Join(path, "running_var"), runningVariance),
                _model.AddBufferInternal(Join(path, "num_batches_tracked"), count)));
        }

        var mode = running ? BatchNormStatistics.Running : _options.BatchNormStatistics;
        return new BatchNormLayer(dims, norm.num_features, new[] { (scale, shift) }, statistics, norm.eps, norm.momentum, mode);
    }

    private int Add(string path, string name, Parameter? parameter) =>
        AddOptional(path, name, parameter) ?? throw new ArgumentException($"The module at '{path}' has no {name}.");

    private int? AddOptional(string path, string name, Parameter? parameter) =>
        parameter is null ? null : _model.AddCopyInternal(Join(path, name), parameter);

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static ArgumentException Unsupported(string path, nn.Module module, string? setting)
    {
        string where = path.Length == 0 ? "the root module" : $"'{path}'";
        string what = setting is null ? $"{where} is a {module.GetType().Name}, which FunctionalModel.FromModule does not convert"
            : $"{where} ({module.GetType().Name}) uses {setting}, which FunctionalModel.FromModule does not convert";
        return new ArgumentException(
            $"{what}. Supported modules: {string.Join(", ", FunctionalModel.SupportedModules)}. " +
            "Rebuild the network from those, or derive from FunctionalModel and write its forward pass.",
            "module");
    }
}
