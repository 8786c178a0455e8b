
namespace OmniglotFewShot;

/// <summary>What the meta-training phase did.</summary>
internal sealed record TrainingSummary(
    string Algorithm,
    int Iterations,
    double Minutes,
    double MedianIterationMilliseconds,
    double LastLoss,
    double LastAccuracy,
    int BestIteration,
    double BestValidationAccuracy)
{
    public override string ToString()
    {
        string selected = BestIteration < 0
            ? "kept the last parameters (no model selection)"
            : $"kept the parameters of iteration {BestIteration} (selection accuracy {BestValidationAccuracy:P2})";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Algorithm}: {Iterations} meta-iterations in {Minutes:F1} min (median {MedianIterationMilliseconds:F0} ms each), " +
            $"last meta-batch loss {LastLoss:F3} accuracy {LastAccuracy:P1}; {selected}.");
    }
}
