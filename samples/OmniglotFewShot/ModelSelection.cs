using TorchSharp.Modules;

namespace OmniglotFewShot;

/// <summary>
/// Keeps a copy of the meta-parameters and the model's buffers (batch norm's running statistics, which predictions
/// read) with the best validation accuracy seen so far.
/// </summary>
internal sealed class ModelSelection(IReadOnlyList<Parameter> parameters, IReadOnlyList<Tensor> buffers)
{
    private Tensor[]? _best;

    public int BestIteration { get; private set; } = -1;

    public double BestAccuracy { get; private set; } = double.NaN;

    public double LastAccuracy { get; private set; } = double.NaN;

    public void Offer(int iteration, double accuracy)
    {
        LastAccuracy = accuracy;
        if (_best is not null && !(accuracy > BestAccuracy))
        {
            return;
        }

        Dispose();
        using var noGrad = no_grad();
        _best = parameters.Cast<Tensor>().Concat(buffers).Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
        BestIteration = iteration;
        BestAccuracy = accuracy;
    }

    /// <summary>Copies the best parameters back (nothing happens when none was offered) and frees the copy.</summary>
    public void RestoreBest()
    {
        if (_best is null)
        {
            return;
        }

        using (no_grad())
        {
            var targets = parameters.Cast<Tensor>().Concat(buffers).ToArray();
            for (int i = 0; i < _best.Length; i++)
            {
                targets[i].copy_(_best[i]);
            }
        }

        Dispose();
    }

    public string Describe() => BestIteration < 0
        ? "no validation yet"
        : string.Create(CultureInfo.InvariantCulture, $"val acc {LastAccuracy:P1} (best {BestAccuracy:P1} at {BestIteration})");

    private void Dispose()
    {
        foreach (var t in _best ?? [])
        {
            t.Dispose();
        }

        _best = null;
    }
}
