using TorchSharp.Modules;

namespace MetaLearn.Models;

/// <summary>
/// Sub-models laid end to end in one parameter list: each branch's parameters form a contiguous segment. It holds every
/// branch (<see cref="IHeldModel"/>) until disposed, so the fusion runs even after the branches' owner disposed them,
/// and disposes the branches too when it owns them.
/// </summary>
internal sealed class BranchSet : IDisposable
{
    private readonly int[] _offsets;
    private readonly bool _ownsBranches;
    private readonly List<IHeldModel> _held = new();
    private bool _disposed;

    public BranchSet(IReadOnlyList<IFunctionalModel> branches, string prefix, bool ownsBranches)
    {
        ArgumentNullException.ThrowIfNull(branches);
        if (branches.Count == 0)
        {
            throw new ArgumentException("Fusion needs at least one branch.", nameof(branches));
        }

        var first = branches[0];
        if (branches.Any(b => b.DType != first.DType || b.Device.type != first.Device.type))
        {
            throw new ArgumentException("Every branch must have the same dtype and device.", nameof(branches));
        }

        Branches = branches.ToArray();
        _ownsBranches = ownsBranches;
        try
        {
            foreach (var branch in Branches)
            {
                if (HeldModels.Hold(branch) is { } held)
                {
                    _held.Add(held);
                }
            }
        }
        catch
        {
            _held.ForEach(h => h.ReleaseHold());
            throw;
        }

        _offsets = new int[branches.Count + 1];
        for (int i = 0; i < branches.Count; i++)
        {
            _offsets[i + 1] = _offsets[i] + branches[i].Parameters.Count;
        }

        Parameters = branches.SelectMany(b => b.Parameters).ToList();
        Names = branches.SelectMany((b, i) => b.ParameterNames.Select(n => $"{prefix}{i}.{n}")).ToList();
        Buffers = branches.SelectMany(b => b.Buffers).ToArray();
        BufferNames = branches.SelectMany((b, i) => b.BufferNames.Select(n => $"{prefix}{i}.{n}")).ToArray();
        Generators = branches.SelectMany(b => b.Generators).ToArray();
        GeneratorNames = branches.SelectMany((b, i) => b.GeneratorNames.Select(n => $"{prefix}{i}.{n}")).ToArray();
    }

    public IReadOnlyList<IFunctionalModel> Branches { get; }

    public List<Parameter> Parameters { get; }

    public List<string> Names { get; }

    /// <summary>Every branch's buffers, branch after branch.</summary>
    public IReadOnlyList<Tensor> Buffers { get; }

    /// <summary>Names of <see cref="Buffers"/>: each branch's own, prefixed like its parameters (<c>branch0.bn.running_mean</c>).</summary>
    public IReadOnlyList<string> BufferNames { get; }

    /// <summary>Every branch's generators, branch after branch.</summary>
    public IReadOnlyList<Generator> Generators { get; }

    /// <summary>Names of <see cref="Generators"/>, prefixed like the parameters (<c>branch0.noise</c>).</summary>
    public IReadOnlyList<string> GeneratorNames { get; }

    public int Count => _offsets[^1];

    public bool SupportsTaskBatching => Branches.All(b => b.SupportsTaskBatching);

    public int Offset(int branch) => _offsets[branch];

    public IReadOnlyList<Tensor> Segment(IReadOnlyList<Tensor> weights, int branch) =>
        weights.Skip(_offsets[branch]).Take(_offsets[branch + 1] - _offsets[branch]).ToArray();

    public bool UsesParameter(int index, int step)
    {
        int branch = Array.FindLastIndex(_offsets, o => o <= index);
        return branch >= Branches.Count || Branches[branch].UsesParameter(index - _offsets[branch], step);
    }

    /// <summary>
    /// Per-example modality weights restricted to the present modalities and renormalised: w·mask / Σ(w·mask), where
    /// <paramref name="weights"/> broadcasts against <paramref name="mask"/> [N, M] or [T, N, M]. An example with no
    /// modality present gets weight 0 everywhere (the samplers never make one).
    /// </summary>
    /// <returns>A tensor shaped like <paramref name="mask"/>, owned by the caller (or the enclosing dispose scope).</returns>
    public static Tensor Renormalise(Tensor weights, Tensor mask)
    {
        var masked = weights * mask;
        using var tiny = 1e-12.ToScalar();
        return masked / masked.sum(-1, keepdim: true).clamp_min(tiny);
    }

    /// <summary>Runs branch <paramref name="branch"/> on its segment of <paramref name="weights"/> (also after its owner disposed it).</summary>
    /// <returns>The output, owned by the caller (or the enclosing dispose scope).</returns>
    public Tensor Forward(int branch, Tensor input, IReadOnlyList<Tensor> weights, ForwardContext context) =>
        HeldModels.Forward(Branches[branch], new[] { input }, Segment(weights, branch), context);

    /// <summary>Gives back the holds on the branches, and disposes them when the set owns them. A second call does nothing.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_ownsBranches)
        {
            foreach (var b in Branches)
            {
                b.Dispose();
            }
        }

        foreach (var h in _held)
        {
            h.ReleaseHold();
        }
    }
}
