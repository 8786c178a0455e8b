namespace MetaLearn.Datasets;

/// <summary>
/// The score of Lake et al.'s one-shot classification benchmark: per run, the share of test items whose predicted
/// class is not the one <c>class_labels.txt</c> names, and the mean of those error rates (the published figure).
/// </summary>
/// <param name="ErrorRates">Error rate of each run, in [0, 1], in run order.</param>
/// <param name="MeanErrorRate">The mean of <paramref name="ErrorRates"/>.</param>
public sealed record OneShotRunScore(IReadOnlyList<double> ErrorRates, double MeanErrorRate)
{
    /// <summary>Scores predicted labels against the answers, run by run; independent of how the predictions were made.</summary>
    /// <param name="answers">Per run, the true label of each test item (<see cref="OneShotRuns.Answers"/>).</param>
    /// <param name="predictions">Per run, the predicted label of each test item, in the same order.</param>
    /// <exception cref="ArgumentException">There are no runs, or the number of runs or of items in a run disagrees.</exception>
    public static OneShotRunScore Compute(IReadOnlyList<IReadOnlyList<int>> answers, IReadOnlyList<IReadOnlyList<int>> predictions)
    {
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentNullException.ThrowIfNull(predictions);
        if (answers.Count == 0 || predictions.Count != answers.Count)
        {
            throw new ArgumentException(
                $"Give one prediction list per run: there are {answers.Count} run(s) and {predictions.Count} prediction list(s).",
                nameof(predictions));
        }

        var rates = new double[answers.Count];
        for (int run = 0; run < answers.Count; run++)
        {
            var truth = answers[run];
            var predicted = predictions[run] ?? throw new ArgumentException($"The predictions of run {run} are null.", nameof(predictions));
            if (predicted.Count != truth.Count || truth.Count == 0)
            {
                throw new ArgumentException(
                    $"Run {run} has {truth.Count} test item(s) but {predicted.Count} prediction(s); give one per item.",
                    nameof(predictions));
            }

            rates[run] = Enumerable.Range(0, truth.Count).Count(i => predicted[i] != truth[i]) / (double)truth.Count;
        }

        return new OneShotRunScore(rates, rates.Average());
    }
}
