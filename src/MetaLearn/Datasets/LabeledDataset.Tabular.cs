using MathNet.Numerics.LinearAlgebra;

namespace MetaLearn.Datasets;

public sealed partial class LabeledDataset
{
    private double[]? _rowMajor;

    /// <summary>The number of features of a tabular data set (examples shaped <c>[N, Features]</c>).</summary>
    /// <exception cref="InvalidOperationException">The examples are not rows of features (e.g. images).</exception>
    public int Features => (int)CheckTabular().shape[1];

    /// <summary>Feature <paramref name="feature"/> of example <paramref name="sample"/> of a tabular data set.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    public double this[int sample, int feature]
    {
        get
        {
            if ((uint)sample >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(sample), sample, $"Example index must lie in [0, {Count}).");
            }

            if ((uint)feature >= (uint)Features)
            {
                throw new ArgumentOutOfRangeException(nameof(feature), feature, $"Feature index must lie in [0, {Features}).");
            }

            return HostRows()[((long)sample * Features) + feature];
        }
    }

    /// <summary>
    /// Creates a tabular data set from a row-major copy of the features (float64) and one class id per row.
    /// Classes are named by their id (<c>"0"</c>, <c>"1"</c>, ...) and have no group.
    /// </summary>
    /// <param name="rowMajor">Features, row after row; <paramref name="features"/> values per label. Copied.</param>
    /// <param name="features">Features per row, at least 1.</param>
    /// <param name="labels">Class ids in <c>[0, <paramref name="classes"/>)</c>. Copied.</param>
    /// <param name="classes">Number of classes, at least 1.</param>
    /// <returns>A new data set the caller owns (float64 examples <c>[N, features]</c>).</returns>
    /// <exception cref="ArgumentException">Sizes disagree or a label is out of range.</exception>
    public static LabeledDataset FromRows(ReadOnlySpan<double> rowMajor, int features, ReadOnlySpan<int> labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (rowMajor.Length != (long)features * labels.Length)
        {
            throw new ArgumentException(
                $"{labels.Length} labels with {features} features need {(long)features * labels.Length} values, got {rowMajor.Length}.",
                nameof(rowMajor));
        }

        var names = Enumerable.Range(0, classes)
            .Select(c => new LabeledClass(c.ToString(System.Globalization.CultureInfo.InvariantCulture), string.Empty))
            .ToArray();
        using var scope = NewDisposeScope();
        var examples = tensor(rowMajor.ToArray(), new long[] { labels.Length, features }, ScalarType.Float64);
        return new LabeledDataset(examples, labels.ToArray(), names);
    }

    /// <summary>The features of example <paramref name="sample"/> of a tabular data set (a copy).</summary>
    public double[] Row(int sample)
    {
        if ((uint)sample >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(sample), sample, $"Example index must lie in [0, {Count}).");
        }

        return HostRows().AsSpan(sample * Features, Features).ToArray();
    }

    /// <summary>All features of a tabular data set, row after row (a copy).</summary>
    public double[] ToRowMajor() => HostRows().ToArray();

    /// <summary>A copy of one feature column of a tabular data set.</summary>
    public double[] Column(int feature)
    {
        var c = new double[Count];
        for (int i = 0; i < c.Length; i++)
        {
            c[i] = this[i, feature];
        }

        return c;
    }

    /// <summary>A copy of the features of a tabular data set as a 2-D array.</summary>
    public double[,] ToArray()
    {
        var rows = HostRows();
        var x = new double[Count, Features];
        Buffer.BlockCopy(rows, 0, x, 0, rows.Length * sizeof(double));
        return x;
    }

    /// <summary>A copy of the features of a tabular data set as a Math.NET matrix.</summary>
    public Matrix<double> ToMatrix()
    {
        var rows = HostRows();
        int f = Features;
        return Matrix<double>.Build.Dense(Count, f, (i, j) => rows[(i * f) + j]);
    }

    private Tensor CheckTabular()
    {
        if (Examples.Dimensions != 2)
        {
            throw new InvalidOperationException(
                $"This data set's examples have shape [{string.Join(", ", ExampleShape)}], not rows of features; " +
                "tabular access (features, rows, columns) needs examples shaped [N, features].");
        }

        return Examples;
    }

    /// <summary>The examples as float64 on the host, row-major, converted once (the data set is immutable).</summary>
    private double[] HostRows()
    {
        if (_rowMajor is null)
        {
            using var scope = NewDisposeScope();
            _rowMajor = CheckTabular().to(ScalarType.Float64, CPU).contiguous().data<double>().ToArray();
        }

        return _rowMajor;
    }
}
