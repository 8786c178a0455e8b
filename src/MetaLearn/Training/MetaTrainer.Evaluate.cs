using MetaLearn.Evaluation;
using MetaLearn.Sampling;

namespace MetaLearn.Training;

public sealed partial class MetaTrainer
{
    /// <summary>
    /// Scores the trained algorithm on fresh episodes: adapts to each support set and reports the mean query loss and
    /// accuracy with 95% confidence intervals (the same as <see cref="Evaluator.Evaluate(Algorithms.IMetaAlgorithm, ITaskSampler, int, int, CancellationToken)"/>).
    /// </summary>
    /// <param name="sampler">Where episodes come from; use seeds that training did not use.</param>
    /// <param name="episodes">How many episodes; at least 2.</param>
    /// <param name="seed">Root seed of the episodes: the same seed gives the same episodes.</param>
    /// <param name="cancellationToken">Stops between episodes.</param>
    /// <returns>The means and their intervals, as plain numbers.</returns>
    public EvaluationResult Evaluate(ITaskSampler sampler, int episodes, int seed, CancellationToken cancellationToken = default) =>
        Evaluator.Evaluate(Algorithm, sampler, episodes, seed, cancellationToken);
}
