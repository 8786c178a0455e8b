using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;
using MetaLearn.Algorithms;
using MetaLearn.Sampling;

namespace MetaLearn.Evaluation;

/// <summary>
/// Adapts an algorithm to fresh episodes and reports mean query loss and accuracy with 95% confidence intervals. Each
/// episode is scored on what an app computes, <see cref="IMetaAlgorithm.Adapt"/> then <see cref="AdaptedModel.Predict(IReadOnlyList{Tensor})"/>
/// (<see cref="IMetaAlgorithm.PredictQuery"/>), which changes nothing in the learner: the result does not depend on the
/// order of the episodes or on what ran before.
/// </summary>
public static class Evaluator
{
    /// <summary>Evaluates on the episodes a sampler draws for seeds derived from <paramref name="seed"/>.</summary>
    /// <param name="algorithm">The algorithm (its parameters are not changed).</param>
    /// <param name="sampler">Where episodes come from.</param>
    /// <param name="episodes">How many episodes; at least 2 for a confidence interval.</param>
    /// <param name="seed">Root seed of the episodes: the same seed gives the same episodes.</param>
    /// <param name="cancellationToken">Stops between episodes.</param>
    public static EvaluationResult Evaluate(IMetaAlgorithm algorithm, ITaskSampler sampler, int episodes, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentOutOfRangeException.ThrowIfLessThan(episodes, 2);
        return Evaluate(algorithm, Enumerable.Range(0, episodes).Select(i => sampler.Sample(Seeds.Derive(seed, 7, i))), cancellationToken);
    }

    /// <summary>Evaluates on the given episodes, disposing each after use.</summary>
    /// <returns>The means and their intervals; <see cref="EvaluationResult.Transductive"/> when the model's batch norm is.</returns>
    public static EvaluationResult Evaluate(IMetaAlgorithm algorithm, IEnumerable<Episode> episodes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(episodes);
        var losses = new List<double>();
        var accuracies = new List<double>();
        foreach (var episode in episodes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (episode)
            {
                var (loss, accuracy) = Score(algorithm, episode);
                losses.Add(loss);
                accuracies.Add(accuracy);
            }
        }

        if (losses.Count < 2)
        {
            throw new ArgumentException("Evaluation needs at least two episodes for a confidence interval.", nameof(episodes));
        }

        var (meanLoss, lossCi) = MeanWithConfidence(losses);
        var (meanAccuracy, accuracyCi) = accuracies.Any(double.IsNaN) ? (double.NaN, double.NaN) : MeanWithConfidence(accuracies);
        return new EvaluationResult(losses.Count, meanLoss, lossCi, meanAccuracy, accuracyCi)
        {
            Transductive = algorithm.Model.UsesBatchNormStatistics(Models.BatchNormStatistics.Transductive),
        };
    }

    /// <summary>
    /// Query loss and accuracy (NaN for regression) of <paramref name="algorithm"/> adapted to one episode: the
    /// predictions of <see cref="IMetaAlgorithm.PredictQuery"/> (Adapt, then the adapted model's Predict).
    /// </summary>
    public static (double Loss, double Accuracy) Score(IMetaAlgorithm algorithm, Episode episode)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(episode);
        using var scope = NewDisposeScope();
        var prediction = algorithm.PredictQuery(episode);
        var targets = episode.QueryTargets.to(prediction.device);
        if (!episode.IsClassification)
        {
            targets = targets.to(prediction.dtype);
        }

        double loss = Loss.For(episode.Info.Kind).PerTask(prediction, targets, false).ReadDouble();
        double accuracy = episode.IsClassification ? TaskLoss.Accuracy(prediction, targets, false).ReadDouble() : double.NaN;
        return (loss, accuracy);
    }

    /// <summary>The mean and the half-width of its 95% Student-t confidence interval.</summary>
    public static (double Mean, double HalfWidth) MeanWithConfidence(IReadOnlyCollection<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int n = values.Count;
        double mean = values.Mean();
        double sd = values.StandardDeviation();
        double t = StudentT.InvCDF(0, 1, n - 1, 0.975);
        return (mean, t * sd / Math.Sqrt(n));
    }
}
