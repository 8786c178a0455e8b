namespace MetaLearn.Models;

/// <summary>
/// Children run one after the other (TorchSharp's <c>Sequential</c>), except that a ReLU directly followed by a 2-D
/// max-pool runs after it: relu(maxpool(x)) equals maxpool(relu(x)) bit for bit, and so do their first and second
/// derivatives (where the window's maximum is positive both route the gradient to the same first maximal element, and
/// where it is not both give zero), while the ReLU and its backward then touch a quarter of the elements (with 2x2
/// pooling) and the pass holds one full-size activation less.
/// </summary>
internal sealed class SequentialLayer : ModuleLayer
{
    private readonly IReadOnlyList<(string Name, ModuleLayer Layer)> _children;
    private readonly int[] _order;

    public SequentialLayer(IReadOnlyList<(string Name, ModuleLayer Layer)> children)
    {
        _children = children;
        _order = RunOrder(children.Select(c => c.Layer).ToArray());
    }

    public override bool BatchesWithoutLoop => _children.All(c => c.Layer.BatchesWithoutLoop);

    public override IEnumerable<int> ParameterIndices => _children.SelectMany(c => c.Layer.ParameterIndices);

    public override int? HeadStart => _children.Select(c => c.Layer.HeadStart).LastOrDefault(h => h is not null);

    public override bool KeepsTrainingState => _children.Any(c => c.Layer.KeepsTrainingState);

    public override bool UsesBatchNorm(BatchNormStatistics statistics) => _children.Any(c => c.Layer.UsesBatchNorm(statistics));

    public override Tensor Forward(Tensor x, LayerRun run)
    {
        var h = x;
        foreach (int i in _order)
        {
            h = _children[i].Layer.Forward(h, run);
        }

        return ReferenceEquals(h, x) ? x.alias() : h;
    }

    public override nn.Module<Tensor, Tensor> Export(FunctionalModel model) =>
        nn.Sequential(_children.Select(c => (c.Name, c.Layer.Export(model))).ToArray());

    /// <summary>The children's indices in the order they run: each ReLU that a max-pool follows swapped with it.</summary>
    internal static int[] RunOrder(IReadOnlyList<ModuleLayer> layers)
    {
        var order = Enumerable.Range(0, layers.Count).ToArray();
        for (int i = 0; i + 1 < layers.Count; i++)
        {
            if (layers[i] is ActivationLayer { Kind: ActivationKind.ReLU } && layers[i + 1] is MaxPool2dLayer)
            {
                (order[i], order[i + 1]) = (i + 1, i);
                i++;
            }
        }

        return order;
    }
}

/// <summary>A residual connection: after(body(x) + shortcut(x)), the shortcut being the identity when absent (<see cref="ResidualBlock"/>).</summary>
internal sealed class ResidualLayer : ModuleLayer
{
    private readonly ModuleLayer _body;
    private readonly ModuleLayer? _shortcut;
    private readonly ModuleLayer? _after;

    public ResidualLayer(ModuleLayer body, ModuleLayer? shortcut, ModuleLayer? after)
    {
        _body = body;
        _shortcut = shortcut;
        _after = after;
    }

    private IEnumerable<ModuleLayer> Parts => new[] { _body, _shortcut, _after }.OfType<ModuleLayer>();

    public override bool BatchesWithoutLoop => Parts.All(p => p.BatchesWithoutLoop);

    public override IEnumerable<int> ParameterIndices => Parts.SelectMany(p => p.ParameterIndices);

    public override int? HeadStart => Parts.Select(p => p.HeadStart).LastOrDefault(h => h is not null);

    public override bool KeepsTrainingState => Parts.Any(p => p.KeepsTrainingState);

    public override bool UsesBatchNorm(BatchNormStatistics statistics) => Parts.Any(p => p.UsesBatchNorm(statistics));

    public override Tensor Forward(Tensor x, LayerRun run)
    {
        var sum = _body.Forward(x, run).Plus(_shortcut?.Forward(x, run) ?? x);
        return _after is null ? sum : _after.Forward(sum, run);
    }

    public override nn.Module<Tensor, Tensor> Export(FunctionalModel model) =>
        new ResidualBlock(_body.Export(model), _shortcut?.Export(model), _after?.Export(model));
}
