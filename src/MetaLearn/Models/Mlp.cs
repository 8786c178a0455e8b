namespace MetaLearn.Models;

/// <summary>
/// A multi-layer perceptron with ReLU between layers, run functionally. Built from the same layers as a converted
/// module (<see cref="FunctionalModel.FromModule"/>); <see cref="FunctionalModel.ToModule"/> exports it as a
/// TorchSharp <c>Sequential</c> of <c>layer{i}</c> (Linear) and <c>relu{i}</c> modules with the same parameter names.
/// </summary>
public sealed class Mlp : FunctionalModel
{
    /// <summary>Creates the network; weights and biases are drawn uniformly from ±1/sqrt(fan_in) with <see cref="MlpOptions.Seed"/>.</summary>
    public Mlp(MlpOptions options)
        : base(Checked(options).Seed, options.DType, options.Device)
    {
        Options = options;
        var children = new List<(string Name, ModuleLayer Layer)>();
        int layers = options.LayerSizes.Count - 1;
        for (int i = 0; i < layers; i++)
        {
            long fanIn = options.LayerSizes[i];
            long fanOut = options.LayerSizes[i + 1];
            double bound = 1.0 / Math.Sqrt(fanIn);
            int weight = AddUniformInternal($"layer{i}.weight", new[] { fanOut, fanIn }, bound);
            int bias = AddUniformInternal($"layer{i}.bias", new[] { fanOut }, bound);
            children.Add(($"layer{i}", new LinearLayer(weight, bias)));
            if (i < layers - 1)
            {
                children.Add(($"relu{i}", new ActivationLayer(ActivationKind.ReLU)));
            }
        }

        Root = new SequentialLayer(children);
        MarkHeadStart(Parameters.Count - 2);
    }

    /// <summary>The options the network was built with.</summary>
    public MlpOptions Options { get; }

    /// <inheritdoc />
    public override bool SupportsTaskBatching => true;

    /// <summary>Runs layers [<paramref name="firstLayer"/>, <paramref name="endLayer"/>) of an MLP given as (weight, bias) pairs.</summary>
    /// <returns>The output, owned by the caller; intermediate tensors go to the enclosing dispose scope.</returns>
    internal static Tensor Run(Tensor x, IReadOnlyList<Tensor> weights, int firstLayer, int endLayer, bool taskBatched)
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
                h = nn.functional.relu(h);
            }
        }

        return h;
    }

    /// <inheritdoc />
    protected override Tensor Run(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context)
    {
        var x = ModelChecks.SingleInput(inputs, "MLP");
        long expectedRank = context.TaskBatched ? 3 : 2;
        if (x.dim() != expectedRank || x.shape[^1] != Options.LayerSizes[0])
        {
            throw new ArgumentException(
                $"The MLP expects inputs of shape [{(context.TaskBatched ? "tasks, " : string.Empty)}examples, {Options.LayerSizes[0]}] but got [{string.Join(", ", x.shape)}]; " +
                "check the sampler's feature count against MlpOptions.LayerSizes[0].",
                nameof(inputs));
        }

        return RunLayers(x, weights, context);
    }

    private static MlpOptions Checked(MlpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options;
    }
}
