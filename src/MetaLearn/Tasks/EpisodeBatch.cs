namespace MetaLearn.Tasks;

/// <summary>
/// Several episodes of equal shapes stacked along a leading task dimension: every input and target tensor is
/// <c>[T, N, ...]</c>. A meta-batch in this form runs as one task-batched computation without per-episode tensors.
/// </summary>
/// <remarks>The batch owns its tensors; <see cref="Dispose"/> frees them.</remarks>
internal sealed class EpisodeBatch : IDisposable
{
    /// <summary>Creates a batch; it takes ownership of the tensors.</summary>
    /// <exception cref="ArgumentException">The tensors do not have one leading entry per episode.</exception>
    public EpisodeBatch(IReadOnlyList<Tensor> supportInputs, Tensor supportTargets, IReadOnlyList<Tensor> queryInputs, Tensor queryTargets, IReadOnlyList<EpisodeInfo> infos)
    {
        ArgumentNullException.ThrowIfNull(infos);
        if (infos.Count == 0)
        {
            throw new ArgumentException("A batch needs at least one episode.", nameof(infos));
        }

        Stacked = new Episode(supportInputs, supportTargets, queryInputs, queryTargets, infos[0]);
        if (Stacked.SupportTargets.shape[0] != infos.Count || Stacked.QueryTargets.shape[0] != infos.Count)
        {
            Stacked.Dispose();
            throw new ArgumentException($"The tensors' leading dimension must be the number of episodes ({infos.Count}).", nameof(infos));
        }

        Infos = infos.ToArray();
    }

    /// <summary>The stacked tensors, as an episode whose every tensor has the leading task dimension.</summary>
    public Episode Stacked { get; }

    /// <summary>What each episode is.</summary>
    public IReadOnlyList<EpisodeInfo> Infos { get; }

    /// <summary>Number of episodes.</summary>
    public int Count => Infos.Count;

    /// <summary>Stacks <paramref name="episodes"/> (copying their tensors; they stay the caller's).</summary>
    /// <exception cref="ArgumentException">The episodes' shapes differ.</exception>
    public static EpisodeBatch Stack(IReadOnlyList<Episode> episodes)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        if (episodes.Count == 0)
        {
            throw new ArgumentException("Nothing to stack.", nameof(episodes));
        }

        var first = episodes[0];
        if (!CanStack(episodes))
        {
            throw new ArgumentException("Only episodes of equal shapes on one device can be stacked; run them as a list instead.", nameof(episodes));
        }

        using var scope = NewDisposeScope();
        int modalities = first.SupportInputs.Count;
        return new EpisodeBatch(
            Enumerable.Range(0, modalities).Select(m => stack(episodes.Select(e => e.SupportInputs[m]).ToArray())).ToArray(),
            stack(episodes.Select(e => e.SupportTargets).ToArray()),
            Enumerable.Range(0, modalities).Select(m => stack(episodes.Select(e => e.QueryInputs[m]).ToArray())).ToArray(),
            stack(episodes.Select(e => e.QueryTargets).ToArray()),
            episodes.Select(e => e.Info).ToArray());
    }

    /// <summary>Whether <paramref name="episodes"/> share their task kind, device and every tensor's shape and dtype, so they can be stacked.</summary>
    public static bool CanStack(IReadOnlyList<Episode> episodes)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        if (episodes.Count == 0)
        {
            return false;
        }

        var first = episodes[0];
        return episodes.All(e => e.Info.Kind == first.Info.Kind
            && e.SupportInputs.Count == first.SupportInputs.Count
            && e.SupportTargets.device_type == first.SupportTargets.device_type
            && e.SupportTargets.device_index == first.SupportTargets.device_index
            && SameShapes(e.SupportInputs, first.SupportInputs)
            && SameShapes(e.QueryInputs, first.QueryInputs)
            && SameShapes(new[] { e.SupportTargets, e.QueryTargets }, new[] { first.SupportTargets, first.QueryTargets }));
    }

    /// <summary>The episodes one by one (copies); the caller owns and disposes them.</summary>
    public Episode[] Unstack()
    {
        var result = new Episode[Count];
        for (int t = 0; t < Count; t++)
        {
            using var scope = NewDisposeScope();
            result[t] = new Episode(
                Stacked.SupportInputs.Select(x => x[t].clone()).ToArray(),
                Stacked.SupportTargets[t].clone(),
                Stacked.QueryInputs.Select(x => x[t].clone()).ToArray(),
                Stacked.QueryTargets[t].clone(),
                Infos[t]);
        }

        return result;
    }

    /// <inheritdoc />
    public void Dispose() => Stacked.Dispose();

    private static bool SameShapes(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.dtype == p.Second.dtype && p.First.shape.SequenceEqual(p.Second.shape));
}
