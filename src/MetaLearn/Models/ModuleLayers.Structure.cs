namespace MetaLearn.Models;

/// <summary>Children run one after the other (TorchSharp's <c>Sequential</c>).</summary>
internal sealed class SequentialLayer : ModuleLayer
{
    private readonly IReadOnlyList<(string Name, ModuleLayer Layer)> _children;

    public SequentialLayer(IReadOnlyList<(string Name, ModuleLayer Layer)> children) => _children = children;

    public override bool BatchesWithoutLoop => _children.All(c => c.Layer.BatchesWithoutLoop);

    public override IEnumerable<int> ParameterIndices => _children.SelectMany(c => c.Layer.ParameterIndices);

    public override int? HeadStart => _children.Select(c => c.Layer.HeadStart).LastOrDefault(h => h is not null);

    public override bool UsesBatchNorm(BatchNormStatistics statistics) => _children.Any(c => c.Layer.UsesBatchNorm(statistics));

    public override Tensor Forward(Tensor x, LayerRun run)
    {
        var h = x;
        foreach (var (_, layer) in _children)
        {
            h = layer.Forward(h, run);
        }

        return ReferenceEquals(h, x) ? x.alias() : h;
    }

    public override nn.Module<Tensor, Tensor> Export(FunctionalModel model) =>
        nn.Sequential(_children.Select(c => (c.Name, c.Layer.Export(model))).ToArray());
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

    public override bool UsesBatchNorm(BatchNormStatistics statistics) => Parts.Any(p => p.UsesBatchNorm(statistics));

    public override Tensor Forward(Tensor x, LayerRun run)
    {
        var sum = _body.Forward(x, run).Plus(_shortcut?.Forward(x, run) ?? x);
        return _after is null ? sum : _after.Forward(sum, run);
    }

    public override nn.Module<Tensor, Tensor> Export(FunctionalModel model) =>
        new ResidualBlock(_body.Export(model), _shortcut?.Export(model), _after?.Export(model));
}
