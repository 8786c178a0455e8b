using TorchSharp.Modules;

namespace OmniglotFewShot;

/// <summary>
/// Keeps a copy of the meta-parameters and the model's buffers (batch norm's running statistics, which predictions
/// read) with the best validation accuracy seen so far.
/// </summary>
internal sealed class ModelSelection(IReadOnlyList<Parameter> parameters, IReadOnlyList<Tensor> buffers) : IDisposable
{
    private readonly ModelStateCopy _best = new(parameters, buffers, floatingBuffersOnly: false);

    public int BestIteration { get; private set; } = -1;

    public double BestAccuracy { get; private set; } = double.NaN;

    public double LastAccuracy { get; private set; } = double.NaN;

    public void Offer(int iteration, double accuracy)
    {
        LastAccuracy = accuracy;
        if (BestIteration >= 0 && !(accuracy > BestAccuracy))
        {
            return;
        }

        _best.Take();
        BestIteration = iteration;
        BestAccuracy = accuracy;
    }

    /// <summary>Copies the best parameters back (nothing happens when none was offered) and frees the copy.</summary>
    public void RestoreBest() => _best.WriteBack();

    public string Describe() => BestIteration < 0
        ? "no validation yet"
        : string.Create(CultureInfo.InvariantCulture, $"val acc {LastAccuracy:P1} (best {BestAccuracy:P1} at {BestIteration})");

    public void Dispose() => _best.Dispose();
}
