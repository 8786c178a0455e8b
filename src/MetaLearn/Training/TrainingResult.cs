using MetaLearn.Evaluation;

namespace MetaLearn.Training;

/// <summary>What a <see cref="MetaTrainer.Train"/> call did.</summary>
/// <param name="Iterations">Meta-iterations done in total (over every call).</param>
/// <param name="QueryLosses">Mean query loss of each meta-batch of this call.</param>
/// <param name="QueryAccuracies">Mean query accuracy of each meta-batch of this call (NaN for regression).</param>
/// <param name="BestValidation">The best validation result, if validation ran.</param>
/// <param name="BestIteration">The iteration of <paramref name="BestValidation"/> (−1 without validation).</param>
/// <param name="SkippedBatches">Meta-batches skipped for a non-finite loss or gradient.</param>
/// <param name="MedianIterationMilliseconds">Median wall time of a meta-iteration (the first excluded when possible).</param>
public sealed record TrainingResult(
    int Iterations,
    IReadOnlyList<double> QueryLosses,
    IReadOnlyList<double> QueryAccuracies,
    EvaluationResult? BestValidation,
    int BestIteration,
    int SkippedBatches,
    double MedianIterationMilliseconds);
