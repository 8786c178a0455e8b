namespace MetaLearn.Clustering;

/// <summary>How well k-means recovers the clusters of fresh tasks, with 95% confidence intervals (Student t).</summary>
/// <param name="Tasks">Number of tasks.</param>
/// <param name="MeanAdjustedRandIndex">Mean adjusted Rand index (1 perfect, about 0 chance).</param>
/// <param name="AdjustedRandIndexConfidence95">Half-width of its 95% confidence interval.</param>
/// <param name="MeanNormalizedMutualInformation">Mean normalised mutual information (1 perfect, 0 independent).</param>
/// <param name="NormalizedMutualInformationConfidence95">Half-width of its 95% confidence interval.</param>
public sealed record MetaClusteringResult(
    int Tasks,
    double MeanAdjustedRandIndex,
    double AdjustedRandIndexConfidence95,
    double MeanNormalizedMutualInformation,
    double NormalizedMutualInformationConfidence95);
