using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Models;

/// <summary>Layer normalisation over the trailing dimensions; task-batched without a loop (affine applied per task).</summary>
internal sealed class LayerNormLayer : ModuleLayer
{
    private readonly long[] _shape;
    private readonly int? _weight;
    private readonly int? _bias;
    private readonly double _eps;

    public LayerNormLayer(long[] shape, int? weight, int? bias, double eps)
    {
        _shape = shape;
        _weight = weight;
        _bias = bias;
        _eps = eps;
    }

    public override IEnumerable<int> ParameterIndices => new[] { _weight, _bias }.OfType<int>();

    public override Tensor Forward(Tensor x, LayerRun run)
    {
        var w = _weight is int a ? run.Weights[a] : null;
        var b = _bias is int c ? run.Weights[c] : null;
        if (!run.Batched)
        {
            return F.layer_norm(x, _shape, w, b, _eps);
        }

        var y = F.layer_norm(x, _shape, null, null, _eps);
        int ones = (int)x.dim() - 1 - _shape.Length;
        return Affine(y, w, b, ones);
    }

    public override nn.Module<Tensor, Tensor> Export(FunctionalModel model)
    {
        var module = nn.LayerNorm(_shape, _eps, _weight is not null, _bias is not null, model.Device, model.DType);
        if (_weight is int a)
        {
            CopyInto(module.weight, model.Parameters[a], "weight");
        }

        if (_bias is int c)
        {
            CopyInto(module.bias, model.Parameters[c], "bias");
        }

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
internal sealed class GroupNormLayer : ModuleLayer
{
    private readonly long _groups;
    private readonly long _channels;
    private readonly int? _weight;
    private readonly int? _bias;
    private readonly double _eps;

    public GroupNormLayer(long groups, long channels, int? weight, int? bias, double eps)
    {
        _groups = groups;
        _channels = channels;
        _weight = weight;
        _bias = bias;
        _eps = eps;
    }

    public override IEnumerable<int> ParameterIndices => new[] { _weight, _bias }.OfType<int>();

    public override Tensor Forward(Tensor x, LayerRun run)
    {
        var w = _weight is int a ? run.Weights[a] : null;
        var b = _bias is int c ? run.Weights[c] : null;
        if (!run.Batched)
        {
            return F.group_norm(x, _groups, w, b, _eps);
        }

        var y = Merged(x, xm => F.group_norm(xm, _groups, null, null, _eps));

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
            y = y + b.view(shape);
        }

        return y;
    }

    public override nn.Module<Tensor, Tensor> Export(FunctionalModel model)
    {
        var module = nn.GroupNorm(_groups, _channels, _eps, _weight is not null, model.Device, model.DType);
        if (_weight is int a)
        {
            CopyInto(module.weight, model.Parameters[a], "weight");
        }

        if (_bias is int c)
        {
            CopyInto(module.bias, model.Parameters[c], "bias");
        }

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
