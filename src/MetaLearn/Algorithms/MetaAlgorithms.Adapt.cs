namespace MetaLearn.Algorithms;

/// <content>Conveniences over <see cref="IMetaAlgorithm.Adapt"/> for single-modality data and plain .NET arrays.</content>
public static partial class MetaAlgorithms
{
    /// <summary>Adapts to a single-modality support set given as tensors.</summary>
    /// <param name="algorithm">The meta-trained algorithm.</param>
    /// <param name="features">Support rows <c>[N, ...]</c>.</param>
    /// <param name="targets">Int64 classes <c>[N]</c>, or floating-point values shaped like the model's output.</param>
    /// <param name="options">Test-time steps and step size; null keeps the training values.</param>
    /// <returns>An adapted model the caller disposes.</returns>
    public static AdaptedModel Adapt(this IMetaAlgorithm algorithm, Tensor features, Tensor targets, AdaptationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(features);
        return algorithm.Adapt(new[] { features }, targets, options);
    }

    /// <summary>Adapts to labelled rows: features (rows by features) and their classes 0, 1, 2, ...</summary>
    /// <returns>An adapted model the caller disposes.</returns>
    /// <exception cref="ArgumentException">The counts disagree or the arrays are empty.</exception>
    public static AdaptedModel Adapt(this IMetaAlgorithm algorithm, float[,] features, long[] classes, AdaptationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(classes);
        CheckCount(features, classes.Length);
        using var scope = NewDisposeScope();
        return algorithm.Adapt(new[] { ArrayTensors.Rows(features) }, tensor(classes), options);
    }

    /// <summary>Adapts to rows with one regression value each (targets shaped [N, 1], as the sinusoid model outputs).</summary>
    /// <returns>An adapted model the caller disposes.</returns>
    /// <exception cref="ArgumentException">The counts disagree or the arrays are empty.</exception>
    public static AdaptedModel Adapt(this IMetaAlgorithm algorithm, float[,] features, float[] values, AdaptationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(values);
        CheckCount(features, values.Length);
        using var scope = NewDisposeScope();
        return algorithm.Adapt(new[] { ArrayTensors.Rows(features) }, tensor(values, new long[] { values.Length, 1 }), options);
    }

    private static void CheckCount(float[,] features, int targets)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.GetLength(0) != targets)
        {
            throw new ArgumentException($"There are {features.GetLength(0)} rows but {targets} targets; give one target per row.", nameof(features));
        }
    }
}
