using TorchSharp.Modules;

namespace OmniglotFewShot;

/// <summary>
/// Stochastic weight averaging (Izmailov et al., "Averaging Weights Leads to Wider Optima and Better Generalization",
/// UAI 2018): the mean of the meta-parameters, and of the model's floating-point buffers, over the snapshots taken with
/// <see cref="Add"/>. Batch norm's running statistics are averaged like the weights rather than recomputed for the
/// averaged network (PyTorch's <c>update_bn</c> recomputes them); Conv4 with group norm, the default, has none.
/// </summary>
internal sealed class WeightAverage(IReadOnlyList<Parameter> parameters, IReadOnlyList<Tensor> buffers) : IDisposable
{
    private readonly ModelStateCopy _sum = new(parameters, buffers, floatingBuffersOnly: true);

    /// <summary>Snapshots added so far.</summary>
    public int Count { get; private set; }

    /// <summary>Adds the current values to the sums.</summary>
    public void Add()
    {
        _sum.Add();
        Count++;
    }

    /// <summary>Copies the mean of the snapshots into the model (nothing happens without one) and frees the sums.</summary>
    public void Apply() => _sum.WriteBack(Count);

    public void Dispose() => _sum.Dispose();
}
