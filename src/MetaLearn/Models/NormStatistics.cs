namespace MetaLearn.Models;

/// <summary>
/// Batch-norm statistics that a forward pass carries (<see cref="ForwardContext"/>): a collecting pass records, per
/// batch-norm layer and per-step set, the mean and variance its <see cref="BatchNormStatistics.Support"/> layers
/// normalised with (and, when asked, a copy of the running statistics of its <see cref="BatchNormStatistics.Running"/>
/// layers); an applying pass normalises with what was recorded. An adapted model holds one, frozen, so every row it
/// predicts is normalised alike. Written by one pass on one thread, then only read.
/// </summary>
internal sealed class NormStatistics
{
    private readonly Dictionary<(ModuleLayer Layer, int Set), (Tensor Mean, Tensor Variance)> _entries;

    private NormStatistics(bool collecting, bool copiesRunning, Dictionary<(ModuleLayer, int), (Tensor, Tensor)> entries)
    {
        Collecting = collecting;
        CopiesRunning = copiesRunning;
        _entries = entries;
    }

    /// <summary>
    /// An applying set with no entries, for the query and prediction passes of models that collect nothing. A
    /// Support-mode layer that meets it, or a Running-mode layer in a prediction, throws: its model did not report it.
    /// </summary>
    public static NormStatistics Empty { get; } = new(false, false, new());

    /// <summary>Whether the pass records statistics (true) or normalises with recorded ones (false).</summary>
    public bool Collecting { get; }

    /// <summary>Whether a collecting pass also records copies of the running statistics of Running-mode layers.</summary>
    public bool CopiesRunning { get; }

    /// <summary>The number of recorded (layer, set) entries.</summary>
    public int Count => _entries.Count;

    /// <summary>A set to collect into.</summary>
    public static NormStatistics Collector(bool copiesRunning) => new(true, copiesRunning, new());

    /// <summary>Records a layer's statistics (tensors in the current dispose scope; in meta-training part of the graph).</summary>
    public void Record(ModuleLayer layer, int set, Tensor mean, Tensor variance)
    {
        if (!Collecting)
        {
            throw new InvalidOperationException("Statistics are recorded only by a collecting pass.");
        }

        _entries[(layer, set)] = (mean, variance);
    }

    /// <summary>The recorded statistics of a layer's set, if any.</summary>
    public bool TryGet(ModuleLayer layer, int set, out Tensor mean, out Tensor variance)
    {
        bool found = _entries.TryGetValue((layer, set), out var entry);
        (mean, variance) = entry;
        return found;
    }

    /// <summary>What was collected, as an applying set (the same tensors).</summary>
    public NormStatistics Applying() => new(false, false, _entries);

    /// <summary>Detached copies outside every dispose scope, as an applying set; free them with <see cref="DisposeTensors"/>.</summary>
    public NormStatistics Keep()
    {
        if (_entries.Count == 0)
        {
            return Empty;
        }

        var copies = new Dictionary<(ModuleLayer, int), (Tensor, Tensor)>(_entries.Count);
        foreach (var (key, (mean, variance)) in _entries)
        {
            copies[key] = (mean.detach().clone().DetachFromDisposeScope(), variance.detach().clone().DetachFromDisposeScope());
        }

        return new NormStatistics(false, false, copies);
    }

    /// <summary>Frees the recorded tensors (of a set made by <see cref="Keep"/>).</summary>
    public void DisposeTensors()
    {
        if (ReferenceEquals(this, Empty))
        {
            return;
        }

        foreach (var (mean, variance) in _entries.Values)
        {
            mean.Dispose();
            variance.Dispose();
        }
    }
}
