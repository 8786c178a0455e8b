namespace MetaLearn.Evaluation;

/// <summary>
/// The 1-nearest-neighbour classifier: a row takes the class of the closest labelled row in Euclidean distance (the
/// first such row on a tie). A few-shot baseline with nothing to fit.
/// </summary>
internal sealed class NearestNeighbor
{
    private readonly float[,] _features;
    private readonly long[] _classes;

    private NearestNeighbor(float[,] features, long[] classes)
    {
        _features = features;
        _classes = classes;
    }

    /// <summary>The number of features.</summary>
    public int Features => _features.GetLength(1);

    /// <summary>Keeps copies of the labelled rows.</summary>
    /// <param name="features">Rows by features.</param>
    /// <param name="classes">The class of each row, in [0, <paramref name="classCount"/>).</param>
    /// <param name="classCount">The number of classes.</param>
    /// <exception cref="ArgumentException">Counts disagree, a class is out of range, or there are no rows.</exception>
    public static NearestNeighbor Fit(float[,] features, IReadOnlyList<long> classes, int classCount)
    {
        BaselineChecks.Labelled(features, classes, classCount, minimumClasses: 1);
        return new NearestNeighbor((float[,])features.Clone(), classes.ToArray());
    }

    /// <summary>The class of each row's nearest labelled row.</summary>
    /// <exception cref="ArgumentException">The rows do not have <see cref="Features"/> columns.</exception>
    public long[] Predict(float[,] features)
    {
        BaselineChecks.Rows(features, Features);
        int n = features.GetLength(0);
        int m = _features.GetLength(0);
        var result = new long[n];
        for (int i = 0; i < n; i++)
        {
            double best = double.PositiveInfinity;
            for (int r = 0; r < m; r++)
            {
                double distance = 0;
                for (int j = 0; j < Features; j++)
                {
                    double diff = (double)features[i, j] - _features[r, j];
                    distance += diff * diff;
                }

                if (distance < best)
                {
                    best = distance;
                    result[i] = _classes[r];
                }
            }
        }

        return result;
    }
}
