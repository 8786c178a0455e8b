namespace MetaLearn.Evaluation;

/// <summary>Scores of an algorithm adapted to fresh episodes, with 95% confidence intervals (Student t).</summary>
/// <param name="Episodes">Number of episodes.</param>
/// <param name="MeanLoss">Mean query loss after adaptation.</param>
/// <param name="LossConfidence95">Half-width of the 95% confidence interval of <paramref name="MeanLoss"/>.</param>
/// <param name="MeanAccuracy">Mean query accuracy; NaN for regression.</param>
/// <param name="AccuracyConfidence95">Half-width of the 95% confidence interval of <paramref name="MeanAccuracy"/>; NaN for regression.</param>
public sealed record EvaluationResult(int Episodes, double MeanLoss, double LossConfidence95, double MeanAccuracy, double AccuracyConfidence95)
{
    /// <inheritdoc />
    public override string ToString() => double.IsNaN(MeanAccuracy)
        ? $"loss {MeanLoss:F4} ± {LossConfidence95:F4} over {Episodes} episodes"
        : $"loss {MeanLoss:F4} ± {LossConfidence95:F4}, accuracy {MeanAccuracy:P2} ± {AccuracyConfidence95:P2} over {Episodes} episodes";
}
