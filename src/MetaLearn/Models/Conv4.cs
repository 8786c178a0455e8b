using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Models;

/// <summary>
/// The Conv4 network of few-shot learning: blocks of [3x3 conv, batch norm over the current batch, ReLU, 2x2 max-pool],
/// then flatten and, when <see cref="Conv4Options.Ways"/> is positive, a linear head. Batch norm keeps no running
/// statistics; with <see cref="Conv4Options.BatchNormSets"/> &gt; 1 it has separate scale and shift per inner step (MAML++).
/// </summary>
public sealed class Conv4 : IFunctionalModel
{
    private readonly ParameterStore _store;
    private readonly int _perBlock;

    /// <summary>Creates the network; conv and linear weights ~ U(±1/sqrt(fan_in)), biases and shifts 0, scales 1.</summary>
    public Conv4(Conv4Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _store = new ParameterStore(options.Device ?? CPU, options.DType, options.Seed);
        _perBlock = 2 + (2 * options.BatchNormSets);
        long inChannels = options.InputChannels;
        long size = options.ImageSize;
        for (int b = 0; b < options.Blocks; b++)
        {
            double bound = 1.0 / Math.Sqrt(inChannels * 9);
            _store.AddUniform($"block{b}.conv.weight", new[] { options.Channels, inChannels, 3, 3 }, bound);
            _store.AddConstant($"block{b}.conv.bias", new long[] { options.Channels }, 0.0);
            for (int s = 0; s < options.BatchNormSets; s++)
            {
                string suffix = options.BatchNormSets == 1 ? string.Empty : $".step{s}";
                _store.AddConstant($"block{b}.norm{suffix}.scale", new long[] { options.Channels }, 1.0);
                _store.AddConstant($"block{b}.norm{suffix}.shift", new long[] { options.Channels }, 0.0);
            }

            inChannels = options.Channels;
            size /= 2;
        }

        if (size < 1)
        {
            throw new ArgumentException(
                $"An image of {options.ImageSize}x{options.ImageSize} pixels shrinks to nothing after {options.Blocks} pooling blocks; use larger images or fewer blocks.",
                nameof(options));
        }

        FeatureCount = options.Channels * size * size;
        if (options.Ways > 0)
        {
            double bound = 1.0 / Math.Sqrt(FeatureCount);
            _store.AddUniform("head.weight", new[] { options.Ways, FeatureCount }, bound);
            _store.AddConstant("head.bias", new long[] { options.Ways }, 0.0);
        }
    }

    /// <summary>The options the network was built with.</summary>
    public Conv4Options Options { get; }

    /// <summary>Number of features after the last block (the embedding size when there is no head).</summary>
    public long FeatureCount { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => _store.Parameters;

    /// <inheritdoc />
    public IReadOnlyList<string> ParameterNames => _store.Names;

    /// <inheritdoc />
    public int HeadStart => Options.Ways > 0 ? _store.Parameters.Count - 2 : _store.Parameters.Count;

    /// <inheritdoc />
    public Device Device => _store.Device;

    /// <inheritdoc />
    public ScalarType DType => _store.DType;

    /// <inheritdoc />
    public bool SupportsTaskBatching => Options.TaskBatching;

    /// <inheritdoc />
    public bool UsesParameter(int index, int step)
    {
        int withinBlock = index % _perBlock;
        if (index >= Options.Blocks * _perBlock || withinBlock < 2)
        {
            return true;
        }

        return (withinBlock - 2) / 2 == Math.Min(step, Options.BatchNormSets - 1);
    }

    /// <inheritdoc />
    public Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(weights);
        ModelChecks.Weights(this, weights);
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

        bool batched = context.TaskBatched;
        int set = Math.Min(context.Step, Options.BatchNormSets - 1);
        var h = x;
        for (int b = 0; b < Options.Blocks; b++)
        {
            int at = b * _perBlock;
            h = Layers.Conv2d(h, weights[at], weights[at + 1], padding: 1, batched);
            h = Layers.BatchNorm(h, weights[at + 2 + (2 * set)], weights[at + 3 + (2 * set)], batched);
            h = F.relu(h);
            h = Layers.MaxPool2x2(h, batched);
        }

        h = batched ? h.flatten(2) : h.flatten(1);
        if (Options.Ways > 0)
        {
            h = Layers.Linear(h, weights[^2], weights[^1], batched);
        }

        return h;
    }

    /// <inheritdoc />
    public void Dispose() => _store.Dispose();
}
