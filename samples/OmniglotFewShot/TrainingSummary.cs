
namespace OmniglotFewShot;

/// <summary>What the meta-training phase did.</summary>
internal sealed record TrainingSummary(
    string Algorithm,
    int Iterations,
    double Minutes,
    double MedianIterationMilliseconds,
    double LastLoss,
    double LastAccuracy,
    string Kept)
{
    public override string ToString()
    {
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Algorithm}: {Iterations} meta-iterations in {Minutes:F1} min (median {MedianIterationMilliseconds:F0} ms each), " +
            $"last meta-batch loss {LastLoss:F3} accuracy {LastAccuracy:P1}; {Kept}.");
    }
}
