using TorchSharp;
using TorchSharp.Modules;

namespace OmniglotFewShot;

/// <summary>
/// A copy of a model's meta-parameters and buffers kept beside the model (the best so far for
/// <see cref="ModelSelection"/>, running sums for <see cref="WeightAverage"/>) and written back into it once. The copies
/// live outside every dispose scope until <see cref="WriteBack"/> or <see cref="Dispose"/> frees them.
/// </summary>
internal sealed class ModelStateCopy : IDisposable
{
    private readonly Tensor[] _targets;
    private Tensor[]? _values;

    /// <param name="parameters">The meta-parameters.</param>
    /// <param name="buffers">The model's buffers (batch norm's running statistics, which predictions read).</param>
    /// <param name="floatingBuffersOnly">Leave out integer buffers (a batch count cannot be summed into an average).</param>
    public ModelStateCopy(IReadOnlyList<Parameter> parameters, IReadOnlyList<Tensor> buffers, bool floatingBuffersOnly)
    {
        _targets = parameters.Cast<Tensor>().Concat(buffers.Where(b => !floatingBuffersOnly || b.is_floating_point())).ToArray();
    }

    /// <summary>Replaces the copy with the model's current values.</summary>
    public void Take()
    {
        Dispose();
        using var scope = NewDisposeScope(); // frees the detached views; the clones are moved out of it
        using var noGrad = no_grad();
        _values = _targets.Select(t => t.detach().clone().DetachFromDisposeScope()).ToArray();
    }

    /// <summary>Adds the model's current values to the copy, summed in double precision (the first call starts from zero).</summary>
    public void Add()
    {
        using var noGrad = no_grad();
        _values ??= _targets.Select(t => zeros_like(t, dtype: float64).DetachFromDisposeScope()).ToArray();
        for (int i = 0; i < _values.Length; i++)
        {
            _values[i].add_(_targets[i]);
        }
    }

    /// <summary>
    /// Copies the copy divided by <paramref name="divisor"/> into the model (nothing happens when there is no copy) and
    /// frees it.
    /// </summary>
    public void WriteBack(int divisor = 1)
    {
        if (_values is null)
        {
            return;
        }

        using (no_grad())
        {
            using Scalar scalar = divisor;
            for (int i = 0; i < _values.Length; i++)
            {
                if (divisor == 1)
                {
                    _targets[i].copy_(_values[i]);
                }
                else
                {
                    using var quotient = _values[i].div(scalar);
                    _targets[i].copy_(quotient);
                }
            }
        }

        Dispose();
    }

    public void Dispose()
    {
        foreach (var t in _values ?? [])
        {
            t.Dispose();
        }

        _values = null;
    }
}
