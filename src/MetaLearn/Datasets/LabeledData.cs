using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

namespace MetaLearn.Datasets;

/// <summary>
/// An immutable labelled data set: a samples-by-features matrix of doubles and one class label per sample.
/// </summary>
public sealed class LabeledData
{
    private readonly double[] _values;
    private readonly int[] _labels;

    /// <summary>Creates a data set from a row-major copy of the features and the labels.</summary>
    /// <param name="rowMajor">Features, sample after sample; length <paramref name="features"/> * number of labels. Copied.</param>
    /// <param name="features">Features per sample, at least 1.</param>
    /// <param name="labels">Class labels in [0, <paramref name="classes"/>). Copied.</param>
    /// <param name="classes">Number of classes.</param>
    /// <exception cref="ArgumentException">Sizes disagree or a label is out of range.</exception>
    public LabeledData(ReadOnlySpan<double> rowMajor, int features, ReadOnlySpan<int> labels, int classes)
        : this(rowMajor.ToArray(), features, labels.ToArray(), classes)
    {
    }

    /// <summary>Takes ownership of the arrays (no copy).</summary>
    internal LabeledData(double[] rowMajor, int features, int[] labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (rowMajor.Length != (long)features * labels.Length)
        {
            throw new ArgumentException(
                $"{labels.Length} labels with {features} features need {(long)features * labels.Length} values, got {rowMajor.Length}.",
                nameof(rowMajor));
        }

        foreach (int label in labels)
        {
            if ((uint)label >= (uint)classes)
            {
                throw new ArgumentException($"Label {label} is outside [0, {classes}).", nameof(labels));
            }
        }

        _values = rowMajor;
        _labels = labels;
        Features = features;
        Classes = classes;
    }

    /// <summary>Number of samples (rows).</summary>
    public int Samples => _labels.Length;

    /// <summary>Number of features (columns).</summary>
    public int Features { get; }

    /// <summary>Number of classes; labels lie in [0, Classes).</summary>
    public int Classes { get; }

    /// <summary>The class label of every sample.</summary>
    public IReadOnlyList<int> Labels => _labels;

    /// <summary>Feature <paramref name="feature"/> of sample <paramref name="sample"/>.</summary>
    public double this[int sample, int feature]
    {
        get
        {
            if ((uint)feature >= (uint)Features)
            {
                throw new ArgumentOutOfRangeException(nameof(feature), feature, $"Feature index must lie in [0, {Features}).");
            }

            return _values[((long)sample * Features) + feature];
        }
    }

    /// <summary>The features of one sample.</summary>
    public ReadOnlySpan<double> Row(int sample) => _values.AsSpan(sample * Features, Features);

    /// <summary>All features, sample after sample.</summary>
    public ReadOnlySpan<double> RowMajor => _values;

    /// <summary>The labels as a span (no copy).</summary>
    internal ReadOnlySpan<int> LabelSpan => _labels;

    /// <summary>A copy of the features as a 2-D array.</summary>
    public double[,] ToArray()
    {
        var x = new double[Samples, Features];
        Buffer.BlockCopy(_values, 0, x, 0, _values.Length * sizeof(double));
        return x;
    }

    /// <summary>A copy of the features as a Math.NET matrix.</summary>
    public Matrix<double> ToMatrix() => Matrix<double>.Build.Dense(Samples, Features, (i, j) => _values[(i * Features) + j]);

    /// <summary>A copy of one feature column.</summary>
    public double[] Column(int feature)
    {
        var c = new double[Samples];
        for (int i = 0; i < c.Length; i++)
        {
            c[i] = this[i, feature];
        }

        return c;
    }

    /// <summary>Converts to tensors: float32 features [Samples, Features] and int64 labels [Samples].</summary>
    /// <returns>New CPU tensors the caller owns (they join the current dispose scope, if any).</returns>
    public (Tensor X, Tensor Y) ToTensors()
    {
        var x = new float[_values.Length];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)_values[i];
        }

        var y = new long[_labels.Length];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = _labels[i];
        }

        return (tensor(x, new long[] { Samples, Features }), tensor(y));
    }
}
