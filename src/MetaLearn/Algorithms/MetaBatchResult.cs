namespace MetaLearn.Algorithms;

/// <summary>What one meta-batch gave.</summary>
/// <param name="MeanQueryLoss">Mean over tasks of the query loss after adaptation.</param>
/// <param name="MeanQueryAccuracy">Mean over tasks of the query accuracy; NaN for regression.</param>
/// <param name="Tasks">Number of episodes.</param>
/// <param name="TaskBatched">Whether the episodes ran as one task-batched computation.</param>
public sealed record MetaBatchResult(double MeanQueryLoss, double MeanQueryAccuracy, int Tasks, bool TaskBatched);
