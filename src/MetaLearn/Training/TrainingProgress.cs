namespace MetaLearn.Training;

/// <summary>A progress report of <see cref="MetaTrainer"/>.</summary>
/// <param name="Iteration">Meta-iterations done in total.</param>
/// <param name="TargetIteration">The iteration this training call stops at.</param>
/// <param name="QueryLoss">Mean query loss of the last meta-batch.</param>
/// <param name="QueryAccuracy">Mean query accuracy of the last meta-batch (NaN for regression).</param>
/// <param name="ValidationLoss">Loss of the last validation, if any.</param>
/// <param name="ValidationAccuracy">Accuracy of the last validation, if any (NaN for regression).</param>
public sealed record TrainingProgress(int Iteration, int TargetIteration, double QueryLoss, double QueryAccuracy, double? ValidationLoss, double? ValidationAccuracy);
