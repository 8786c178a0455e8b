using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Models;

/// <summary>A multi-layer perceptron with ReLU between layers, run functionally.</summary>
public sealed class Mlp : IFunctionalModel
{
    private readonly ParameterStore _store;

    /// <summary>Creates the network; weights and biases are drawn uniformly from ±1/sqrt(fan_in) with <see cref="MlpOptions.Seed"/>.</summary>
    public Mlp(MlpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _store = new ParameterStore(options.Device ?? CPU, options.DType, options.Seed);
        for (int i = 0; i + 1 < options.LayerSizes.Count; i++)
        {
            long fanIn = options.LayerSizes[i];
            long fanOut = options.LayerSizes[i + 1];
            double bound = 1.0 / Math.Sqrt(fanIn);
            _store.AddUniform($"layer{i}.weight", new[] { fanOut, fanIn }, bound);
            _store.AddUniform($"layer{i}.bias", new[] { fanOut }, bound);
        }
    }

    /// <summary>The options the network was built with.</summary>
    public MlpOptions Options { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => _store.Parameters;

    /// <inheritdoc />
    public IReadOnlyList<string> ParameterNames => _store.Names;

    /// <inheritdoc />
    public int HeadStart => _store.Parameters.Count - 2;

    /// <inheritdoc />
    public Device Device => _store.Device;

    /// <inheritdoc />
    public ScalarType DType => _store.DType;

    /// <inheritdoc />
    public bool SupportsTaskBatching => true;

    /// <inheritdoc />
    public Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(weights);
        ModelChecks.Weights(this, weights);
        var x = ModelChecks.SingleInput(inputs, "MLP");
        long expectedRank = context.TaskBatched ? 3 : 2;
        if (x.dim() != expectedRank || x.shape[^1] != Options.LayerSizes[0])
        {
            throw new ArgumentException(
                $"The MLP expects inputs of shape [{(context.TaskBatched ? "tasks, " : string.Empty)}examples, {Options.LayerSizes[0]}] but got [{string.Join(", ", x.shape)}]; " +
                "check the sampler's feature count against MlpOptions.LayerSizes[0].",
                nameof(inputs));
        }

        return Run(x, weights, 0, weights.Count / 2, context.TaskBatched);
    }

    /// <summary>Runs layers [<paramref name="firstLayer"/>, <paramref name="endLayer"/>) of an MLP given as (weight, bias) pairs.</summary>
    /// <returns>The output, owned by the caller; intermediate tensors go to the enclosing dispose scope.</returns>
    public static Tensor Run(Tensor x, IReadOnlyList<Tensor> weights, int firstLayer, int endLayer, bool taskBatched)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weights);
        int layers = weights.Count / 2;
        var h = x;
        for (int i = firstLayer; i < endLayer; i++)
        {
            h = Layers.Linear(h, weights[2 * i], weights[(2 * i) + 1], taskBatched);
            if (i < layers - 1)
            {
                h = F.relu(h);
            }
        }

        return h;
    }

    /// <inheritdoc />
    public void Dispose() => _store.Dispose();
}
