namespace MetaLearn.Evaluation;

/// <summary>Input checks and helpers shared by the baseline classifiers.</summary>
internal static class BaselineChecks
{
    public static (int Rows, int Features) Labelled(float[,] features, IReadOnlyList<long> classes, int classCount, int minimumClasses = 2)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(classes);
        int n = features.GetLength(0);
        int f = features.GetLength(1);
        if (n == 0 || f == 0)
        {
            throw new ArgumentException($"The labelled rows are empty ({n} x {f}); give at least one row and one feature.", nameof(features));
        }

        if (classes.Count != n)
        {
            throw new ArgumentException($"There are {n} rows but {classes.Count} classes; give one class per row.", nameof(classes));
        }

        if (classCount < minimumClasses)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"At least {minimumClasses} classes are needed.");
        }

        for (int i = 0; i < n; i++)
        {
            if (classes[i] < 0 || classes[i] >= classCount)
            {
                throw new ArgumentException($"Row {i} has class {classes[i]}, outside [0, {classCount}).", nameof(classes));
            }
        }

        return (n, f);
    }

    public static void Rows(float[,] features, int expected)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.GetLength(1) != expected)
        {
            throw new ArgumentException($"The rows have {features.GetLength(1)} features but the classifier was fitted on {expected}.", nameof(features));
        }
    }

    public static long[] ArgMax(double[,] scores)
    {
        var result = new long[scores.GetLength(0)];
        for (int i = 0; i < result.Length; i++)
        {
            for (int c = 1; c < scores.GetLength(1); c++)
            {
                if (scores[i, c] > scores[i, result[i]])
                {
                    result[i] = c;
                }
            }
        }

        return result;
    }

    public static double Accuracy(long[] predicted, IReadOnlyList<long> truth) =>
        predicted.Zip(truth, (p, t) => p == t ? 1.0 : 0.0).Average();
}
