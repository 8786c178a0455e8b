namespace MetaLearn.Models;

/// <summary>
/// The Conv4 network of few-shot learning: blocks of [3x3 conv, batch norm, ReLU, 2x2 max-pool], then flatten and, when
/// <see cref="Conv4Options.Ways"/> is positive, a linear head. Batch norm normalises as
/// <see cref="Conv4Options.BatchNormStatistics"/> says (by default with the support set's statistics). With
/// <see cref="Conv4Options.BatchNormSets"/> &gt; 1 batch norm has separate scale and shift (and, with running
/// statistics, separate running statistics) per inner step (MAML++'s per-step batch norm and BNRS). Built from the same layers as a converted module;
/// <see cref="FunctionalModel.ToModule"/> exports it as a TorchSharp <c>Sequential</c> (blocks <c>block{b}</c> of
/// <c>conv</c>, <c>norm</c>, <c>relu</c>, <c>pool</c>, then <c>flatten</c> and <c>head</c>) holding the last step's batch-norm set.
/// </summary>
public sealed class Conv4 : FunctionalModel
{
    private readonly List<BatchNormLayer> _norms = new();

    /// <summary>Creates the network; conv and linear weights ~ U(±1/sqrt(fan_in)), biases and shifts 0, scales 1.</summary>
    public Conv4(Conv4Options options)
        : base(Checked(options).Seed, options.DType, options.Device)
    {
        using var scope = NewDisposeScope();
        Options = options;
        long inChannels = options.InputChannels;
        long size = options.ImageSize;
        var children = new List<(string Name, ModuleLayer Layer)>();
        for (int b = 0; b < options.Blocks; b++)
        {
            double bound = 1.0 / Math.Sqrt(inChannels * 9);
            int weight = AddUniformInternal($"block{b}.conv.weight", new[] { options.Channels, inChannels, 3, 3 }, bound);
            int bias = AddConstantInternal($"block{b}.conv.bias", new long[] { options.Channels }, 0.0);
            var sets = new List<(int? Scale, int? Shift)>();
            for (int s = 0; s < options.BatchNormSets; s++)
            {
                string suffix = options.BatchNormSets == 1 ? string.Empty : $".step{s}";
                sets.Add((AddConstantInternal($"block{b}.norm{suffix}.scale", new long[] { options.Channels }, 1.0),
                          AddConstantInternal($"block{b}.norm{suffix}.shift", new long[] { options.Channels }, 0.0)));
            }

            var statistics = new List<RunningStatistics>();
            if (options.BatchNormStatistics == BatchNormStatistics.Running)
            {
                for (int s = 0; s < options.BatchNormSets; s++)
                {
                    string suffix = options.BatchNormSets == 1 ? string.Empty : $".step{s}";
                    statistics.Add(new RunningStatistics(
                        AddBufferInternal($"block{b}.norm{suffix}.running_mean", zeros(options.Channels)),
                        AddBufferInternal($"block{b}.norm{suffix}.running_var", ones(options.Channels)),
                        AddBufferInternal($"block{b}.norm{suffix}.num_batches_tracked", zeros(1))));
                }
            }

            var norm = new BatchNormLayer(2, options.Channels, sets, statistics, 1e-5, 0.1, options.BatchNormStatistics);
            _norms.Add(norm);
            children.Add(($"block{b}", new SequentialLayer(new (string, ModuleLayer)[]
            {
                ("conv", new ConvLayer(2, weight, bias, new long[] { 1, 1 }, new long[] { 1, 1 }, new long[] { 1, 1 }, 1)),
                ("norm", norm),
                ("relu", new ActivationLayer(ActivationKind.ReLU)),
                ("pool", new MaxPool2dLayer(new long[] { 2, 2 }, new long[] { 2, 2 }, new long[] { 0, 0 }, new long[] { 1, 1 }, false)),
            })));
            inChannels = options.Channels;
            size /= 2;
        }

        if (size < 1)
        {
            Dispose();
            throw new ArgumentException(
                $"An image of {options.ImageSize}x{options.ImageSize} pixels shrinks to nothing after {options.Blocks} pooling blocks; use larger images or fewer blocks.",
                nameof(options));
        }

        FeatureCount = options.Channels * size * size;
        children.Add(("flatten", new FlattenLayer(1, -1)));
        if (options.Ways > 0)
        {
            double bound = 1.0 / Math.Sqrt(FeatureCount);
            int weight = AddUniformInternal("head.weight", new[] { options.Ways, FeatureCount }, bound);
            int bias = AddConstantInternal("head.bias", new long[] { options.Ways }, 0.0);
            children.Add(("head", new LinearLayer(weight, bias)));
        }

        Root = new SequentialLayer(children);
        MarkHeadStart(options.Ways > 0 ? Parameters.Count - 2 : Parameters.Count);
    }

    /// <summary>The options the network was built with.</summary>
    public Conv4Options Options { get; }

    /// <summary>Number of features after the last block (the embedding size when there is no head).</summary>
    public long FeatureCount { get; }

    /// <inheritdoc />
    public override bool SupportsTaskBatching => Options.TaskBatching;

    /// <inheritdoc />
    public override bool UsesParameter(int index, int step) => !_norms.Any(n => n.IsUnusedAt(index, step));

    /// <inheritdoc />
    protected override Tensor Run(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context)
    {
        var x = ModelChecks.SingleInput(inputs, "Conv4");
        long expectedRank = context.TaskBatched ? 5 : 4;
        var o = Options;
        if (x.dim() != expectedRank || x.shape[^3] != o.InputChannels || x.shape[^2] != o.ImageSize || x.shape[^1] != o.ImageSize)
        {
            throw new ArgumentException(
                $"Conv4 expects images of shape [{(context.TaskBatched ? "tasks, " : string.Empty)}examples, {o.InputChannels}, {o.ImageSize}, {o.ImageSize}] " +
                $"but got [{string.Join(", ", x.shape)}]; set Conv4Options.InputChannels and ImageSize to match the data.",
                nameof(inputs));
        }

        return RunLayers(x, weights, context);
    }

    private static Conv4Options Checked(Conv4Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options;
    }
}
