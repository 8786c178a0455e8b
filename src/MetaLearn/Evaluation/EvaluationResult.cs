namespace MetaLearn.Evaluation;

/// <summary>Scores of an algorithm adapted to fresh episodes, with 95% confidence intervals (Student t).</summary>
/// <param name="Episodes">Number of episodes.</param>
/// <param name="MeanLoss">Mean query loss after adaptation.</param>
/// <param name="LossConfidence95">Half-width of the 95% confidence interval of <paramref name="MeanLoss"/>.</param>
/// <param name="MeanAccuracy">Mean query accuracy; NaN for regression.</param>
/// <param name="AccuracyConfidence95">Half-width of the 95% confidence interval of <paramref name="MeanAccuracy"/>; NaN for regression.</param>
public sealed record EvaluationResult(int Episodes, double MeanLoss, double LossConfidence95, double MeanAccuracy, double AccuracyConfidence95)
{
    /// <summary>
    /// Whether the model's batch norm is <see cref="Models.BatchNormStatistics.Transductive"/>: each episode's query set
    /// was normalised as one batch, so a prediction depended on the other query rows, which an app predicting one row at
    /// a time does not get. Such figures are not comparable with non-transductive ones.
    /// </summary>
    /// <value>Default false.</value>
    public bool Transductive { get; init; }

    /// <inheritdoc />
    public override string ToString()
    {
        string scores = double.IsNaN(MeanAccuracy)
            ? $"loss {MeanLoss:F4} ± {LossConfidence95:F4} over {Episodes} episodes"
            : $"loss {MeanLoss:F4} ± {LossConfidence95:F4}, accuracy {MeanAccuracy:P2} ± {AccuracyConfidence95:P2} over {Episodes} episodes";
        return Transductive ? scores + " (transductive batch norm: each query set normalised as one batch)" : scores;
    }
}
