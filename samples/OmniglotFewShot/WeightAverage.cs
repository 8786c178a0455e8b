using TorchSharp;
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
    private readonly Tensor[] _targets = parameters.Cast<Tensor>().Concat(buffers.Where(b => b.is_floating_point())).ToArray();
    private Tensor[]? _sum;

    /// <summary>Snapshots added so far.</summary>
    public int Count { get; private set; }

    /// <summary>Adds the current values to the sums.</summary>
    public void Add()
    {
        using var noGrad = no_grad();
        if (_sum is null)
        {
            _sum = _targets.Select(t => t.detach().to(float64).DetachFromDisposeScope()).ToArray();
        }
        else
        {
            for (int i = 0; i < _sum.Length; i++)
            {
                _sum[i].add_(_targets[i]);
            }
        }

        Count++;
    }

    /// <summary>Copies the mean of the snapshots into the model (nothing happens without one) and frees the sums.</summary>
    public void Apply()
    {
        if (_sum is null)
        {
            return;
        }

        using (no_grad())
        {
            using Scalar count = Count;
            for (int i = 0; i < _sum.Length; i++)
            {
                using var mean = _sum[i].div(count);
                _targets[i].copy_(mean);
            }
        }

        Dispose();
    }

    public void Dispose()
    {
        foreach (var t in _sum ?? [])
        {
            t.Dispose();
        }

        _sum = null;
    }
}
