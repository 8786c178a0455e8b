namespace MetaLearn.Evaluation;

/// <summary>
/// Baselines beside every few-shot figure: a logistic regression and a 1-nearest-neighbour classifier fitted on an
/// episode's support set, each returning its accuracy on the query set, so a user sees what meta-learning buys.
/// </summary>
public static class Baselines
{
    /// <summary>Query accuracy of an L2-regularised logistic regression fitted on the support set.</summary>
    /// <param name="supportFeatures">Support rows by features.</param>
    /// <param name="supportClasses">The class of each support row.</param>
    /// <param name="queryFeatures">Query rows by features.</param>
    /// <param name="queryClasses">The class of each query row.</param>
    /// <param name="classCount">The number of classes.</param>
    /// <param name="options">Logistic-regression options; null uses the defaults (C = 1).</param>
    /// <exception cref="ArgumentException">The rows, classes or feature counts do not agree, or a class is outside [0, <paramref name="classCount"/>).</exception>
    public static double LogisticRegression(
        float[,] supportFeatures, IReadOnlyList<long> supportClasses, float[,] queryFeatures, IReadOnlyList<long> queryClasses, int classCount, LogisticRegressionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(queryClasses);
        var model = Evaluation.LogisticRegression.Fit(supportFeatures, supportClasses, classCount, options);
        return BaselineChecks.Accuracy(model.Predict(queryFeatures), queryClasses);
    }

    /// <summary>The same for a single-modality classification episode whose inputs are [N, F], with the default options (C = 1).</summary>
    /// <param name="episode">The episode; not disposed.</param>
    /// <exception cref="ArgumentException">The episode is not single-modality classification with rows of features.</exception>
    public static double LogisticRegression(Episode episode) => LogisticRegression(episode, null);

    /// <summary>The same for a single-modality classification episode whose inputs are [N, F].</summary>
    /// <param name="episode">The episode; not disposed.</param>
    /// <param name="options">Logistic-regression options; null uses the defaults (C = 1).</param>
    /// <exception cref="ArgumentException">The episode is not single-modality classification with rows of features.</exception>
    public static double LogisticRegression(Episode episode, LogisticRegressionOptions? options)
    {
        var (support, supportClasses, query, queryClasses) = Rows(episode);
        return LogisticRegression(support, supportClasses, query, queryClasses, episode.Info.Ways, options);
    }

    /// <summary>Query accuracy of a 1-nearest-neighbour classifier (Euclidean distance) on the support set.</summary>
    /// <param name="supportFeatures">Support rows by features.</param>
    /// <param name="supportClasses">The class of each support row.</param>
    /// <param name="queryFeatures">Query rows by features.</param>
    /// <param name="queryClasses">The class of each query row.</param>
    /// <param name="classCount">The number of classes.</param>
    /// <exception cref="ArgumentException">The rows, classes or feature counts do not agree, or a class is outside [0, <paramref name="classCount"/>).</exception>
    public static double NearestNeighbor(float[,] supportFeatures, IReadOnlyList<long> supportClasses, float[,] queryFeatures, IReadOnlyList<long> queryClasses, int classCount)
    {
        ArgumentNullException.ThrowIfNull(queryClasses);
        var model = Evaluation.NearestNeighbor.Fit(supportFeatures, supportClasses, classCount);
        return BaselineChecks.Accuracy(model.Predict(queryFeatures), queryClasses);
    }

    /// <summary>The same for a single-modality classification episode whose inputs are [N, F].</summary>
    /// <param name="episode">The episode; not disposed.</param>
    /// <exception cref="ArgumentException">The episode is not single-modality classification with rows of features.</exception>
    public static double NearestNeighbor(Episode episode)
    {
        var (support, supportClasses, query, queryClasses) = Rows(episode);
        return NearestNeighbor(support, supportClasses, query, queryClasses, episode.Info.Ways);
    }

    private static (float[,] Support, long[] SupportClasses, float[,] Query, long[] QueryClasses) Rows(Episode episode)
    {
        ArgumentNullException.ThrowIfNull(episode);
        if (!episode.IsClassification || episode.SupportInputs.Count != 1 || episode.SupportInputs[0].dim() != 2)
        {
            throw new ArgumentException("Baselines need a single-modality classification episode with inputs [rows, features].", nameof(episode));
        }

        return (ToArray(episode.SupportInputs[0]), Classes(episode.SupportTargets), ToArray(episode.QueryInputs[0]), Classes(episode.QueryTargets));
    }

    private static long[] Classes(Tensor targets)
    {
        using var scope = NewDisposeScope();
        return targets.cpu().data<long>().ToArray();
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
