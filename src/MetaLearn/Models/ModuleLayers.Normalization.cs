using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Models;

/// <summary>A normalisation layer with an optional affine weight and bias (LayerNorm, GroupNorm): the indices, the lookup and the export written once.</summary>
internal abstract class AffineNormLayer : ModuleLayer
{
    protected AffineNormLayer(int? weight, int? bias, double eps)
    {
        WeightIndex = weight;
        BiasIndex = bias;
        Eps = eps;
    }

    public override IEnumerable<int> ParameterIndices => new[] { WeightIndex, BiasIndex }.OfType<int>();

    protected int? WeightIndex { get; }

    protected int? BiasIndex { get; }

    protected double Eps { get; }

    /// <summary>The affine weight and bias of this run, null where the layer has none.</summary>
    protected (Tensor? Weight, Tensor? Bias) AffineWeights(LayerRun run) =>
        (WeightIndex is int a ? run.Weights[a] : null, BiasIndex is int c ? run.Weights[c] : null);

    /// <summary>Copies the model's affine weight and bias into an exported module's.</summary>
    protected void CopyAffine(Tensor? weight, Tensor? bias, FunctionalModel model)
    {
        if (WeightIndex is int a)
        {
            CopyInto(weight, model.Parameters[a], "weight");
        }

        if (BiasIndex is int c)
        {
            CopyInto(bias, model.Parameters[c], "bias");
        }
    }
}

/// <summary>Layer normalisation over the trailing dimensions; task-batched without a loop (affine applied per task).</summary>
internal sealed class LayerNormLayer : AffineNormLayer
{
    private readonly long[] _shape;

    public LayerNormLayer(long[] shape, int? weight, int? bias, double eps)
        : base(weight, bias, eps)
    {
        _shape = shape;
    }

    public override Tensor Forward(Tensor x, LayerRun run)
    {
        var (w, b) = AffineWeights(run);
        if (!run.Batched)
        {
            return F.layer_norm(x, _shape, w, b, Eps);
        }

        var y = F.layer_norm(x, _shape, null, null, Eps);
        int ones = (int)x.dim() - 1 - _shape.Length;
        return Affine(y, w, b, ones);
    }

    public override nn.Module<Tensor, Tensor> Export(FunctionalModel model)
    {
        var module = nn.LayerNorm(_shape, Eps, WeightIndex is not null, BiasIndex is not null, model.Device, model.DType);
        CopyAffine(module.weight, module.bias, model);
        return module;
    }

    /// <summary>y · w + b with per-task w, b [T, *rest] broadcast over <paramref name="ones"/> dimensions after the task one.</summary>
    internal static Tensor Affine(Tensor y, Tensor? w, Tensor? b, int ones)
    {
        if (w is not null)
        {
            y = y * Spread(w, ones);
        }

        if (b is not null)
        {
            y = y.Plus(Spread(b, ones));
        }

        return y;
    }

    private static Tensor Spread(Tensor p, int ones)
    {
        var shape = new List<long> { p.shape[0] };
        shape.AddRange(Enumerable.Repeat(1L, ones));
        shape.AddRange(p.shape.Skip(1));
        return p.view(shape.ToArray());
    }
}

/// <summary>Group normalisation of [N, C, ...]; task-batched without a loop (statistics are per example, affine per task).</summary>
internal sealed class GroupNormLayer : AffineNormLayer
{
    private readonly long _groups;
    private readonly long _channels;

    public GroupNormLayer(long groups, long channels, int? weight, int? bias, double eps)
        : base(weight, bias, eps)
    {
        _groups = groups;
        _channels = channels;
    }

    public override Tensor Forward(Tensor x, LayerRun run)
    {
        var (w, b) = AffineWeights(run);
        if (!run.Batched)
        {
            return F.group_norm(x, _groups, w, b, Eps);
        }

        var y = Merged(x, xm => F.group_norm(xm, _groups, null, null, Eps));

        // Per-task channel parameters [T, C] broadcast over [T, N, C, spatial...]: one dimension before, the rest after.
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[0] = x.shape[0];
        shape[2] = _channels;
        if (w is not null)
        {
            y = y * w.view(shape);
        }

        if (b is not null)
        {
            y = y.Plus(b.view(shape));
        }

        return y;
    }

    public override nn.Module<Tensor, Tensor> Export(FunctionalModel model)
    {
        var module = nn.GroupNorm(_groups, _channels, Eps, WeightIndex is not null, model.Device, model.DType);
        CopyAffine(module.weight, module.bias, model);
        return module;
    }
}

/// <summary>
/// A lookup table: row i of the weight for index i. Indices that arrive as floating-point values (episodes are converted
/// to the model's dtype) are rounded to int64 first. Task-batched by a loop over tasks.
/// </summary>
internal sealed class EmbeddingLayer : ModuleLayer
{
    private readonly int _weight;

    public EmbeddingLayer(int weight) => _weight = weight;

    public override bool BatchesWithoutLoop => false;

    public override IEnumerable<int> ParameterIndices => new[] { _weight };

    public override Tensor Forward(Tensor x, LayerRun run)
    {
        var w = run.Weights[_weight];
        var indices = x.is_floating_point() ? x.round().to(ScalarType.Int64) : x;
        if (!run.Batched)
        {
            return Lookup(indices, w);
        }

        return PerTask(indices, (xt, t) => Lookup(xt, w[t]));
    }

    public override nn.Module<Tensor, Tensor> Export(FunctionalModel model)
    {
        var w = model.Parameters[_weight];
        var module = nn.Embedding(w.shape[0], w.shape[1], device: model.Device, dtype: model.DType);
        CopyInto(module.weight, w, "weight");
        return module;
    }

    private static Tensor Lookup(Tensor indices, Tensor w)
    {
        var shape = indices.shape.Append(w.shape[1]).ToArray();
        return w.index_select(0, indices.flatten()).view(shape);
    }
}
