namespace MetaLearn.Evaluation;

/// <summary>
/// Baselines beside every few-shot figure: a logistic regression and a 1-nearest-neighbour classifier fitted on an
/// episode's support set and scored on its query set, so a user sees what meta-learning buys.
/// </summary>
public static class Baselines
{
    /// <summary>Query accuracies of an L2-regularised logistic regression and a 1-nearest-neighbour classifier fitted on the support set.</summary>
    /// <param name="supportFeatures">Support rows by features.</param>
    /// <param name="supportClasses">The class of each support row.</param>
    /// <param name="queryFeatures">Query rows by features.</param>
    /// <param name="queryClasses">The class of each query row.</param>
    /// <param name="classCount">The number of classes.</param>
    /// <param name="options">Logistic-regression options; null uses the defaults (C = 1).</param>
    public static BaselineScores Score(
        float[,] supportFeatures, IReadOnlyList<long> supportClasses, float[,] queryFeatures, IReadOnlyList<long> queryClasses, int classCount, LogisticRegressionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(queryClasses);
        var logistic = LogisticRegression.Fit(supportFeatures, supportClasses, classCount, options);
        var nearest = NearestNeighbor.Fit(supportFeatures, supportClasses, classCount);
        return new BaselineScores(
            BaselineChecks.Accuracy(logistic.Predict(queryFeatures), queryClasses),
            BaselineChecks.Accuracy(nearest.Predict(queryFeatures), queryClasses));
    }

    /// <summary>The same for a single-modality classification episode whose inputs are [N, F].</summary>
    /// <exception cref="ArgumentException">The episode is not single-modality classification with rows of features.</exception>
    public static BaselineScores Score(Episode episode, LogisticRegressionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(episode);
        if (!episode.IsClassification || episode.SupportInputs.Count != 1 || episode.SupportInputs[0].dim() != 2)
        {
            throw new ArgumentException("Baselines need a single-modality classification episode with inputs [rows, features].", nameof(episode));
        }

        return Score(
            ToArray(episode.SupportInputs[0]), episode.SupportTargets.cpu().data<long>().ToArray(),
            ToArray(episode.QueryInputs[0]), episode.QueryTargets.cpu().data<long>().ToArray(),
            episode.Info.Ways,
            options);
    }

    /// <summary>Copies a 2-D tensor into a float array (converted to float32 on the CPU).</summary>
    internal static float[,] ToArray(Tensor rows)
    {
        using var scope = NewDisposeScope();
        var cpu = rows.detach().to(ScalarType.Float32).cpu().contiguous();
        var flat = cpu.data<float>().ToArray();
        var result = new float[rows.shape[0], rows.shape[1]];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(float));
        return result;
    }
}
