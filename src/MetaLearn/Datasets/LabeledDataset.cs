namespace MetaLearn.Datasets;

/// <summary>
/// An in-memory labelled data set, MetaLearn's one labelled-data type: one float32 or float64 tensor of examples
/// <c>[N, ...]</c> (images, or rows of features for tabular data), the class id of every example, what each class is
/// (<see cref="LabeledClass"/>), and the examples of each class. Image folders, Omniglot, CSV files and the synthetic
/// generators (<see cref="MakeClassification"/>, <see cref="MakeBlobs"/>) all produce it.
/// </summary>
/// <remarks>
/// The data set owns its example tensor: <see cref="Dispose"/> frees it. Readers (such as task samplers) never
/// modify it, so one data set may be shared by samplers on several threads.
/// </remarks>
public sealed partial class LabeledDataset : IDisposable
{
    private readonly int[] _labels;
    private readonly int[][] _indicesByClass;
    private readonly LabeledClass[] _classes;
    private readonly string[] _groups;
    private bool _disposed;

    /// <summary>Creates a data set from in-memory examples; it takes ownership of <paramref name="examples"/>.</summary>
    /// <param name="examples">Examples <c>[N, ...]</c>, float32 or float64; detached from any dispose scope and freed by <see cref="Dispose"/>.</param>
    /// <param name="labels">The class id of each example, in <c>[0, classes.Count)</c>; N of them.</param>
    /// <param name="classes">What each class is; class id <c>c</c> is <c>classes[c]</c>.</param>
    /// <exception cref="ArgumentException">The examples are not float32 or float64 with a leading example dimension, counts disagree, or a label is out of range.</exception>
    public LabeledDataset(Tensor examples, IReadOnlyList<int> labels, IReadOnlyList<LabeledClass> classes)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classes);
        if (examples.dtype is not (ScalarType.Float32 or ScalarType.Float64) || examples.Dimensions == 0)
        {
            throw new ArgumentException(
                $"Examples must be a float32 or float64 tensor [N, ...] (got {examples.dtype} of shape [{string.Join(", ", examples.shape)}]); convert with .to(float32).",
                nameof(examples));
        }

        if (examples.shape[0] != labels.Count)
        {
            throw new ArgumentException(
                $"There are {examples.shape[0]} examples but {labels.Count} labels; give one label per example.", nameof(labels));
        }

        if (classes.Any(c => c is null))
        {
            throw new ArgumentException("Every class needs a LabeledClass (found null).", nameof(classes));
        }

        _labels = labels.ToArray();
        _classes = classes.ToArray();
        var byClass = Enumerable.Range(0, _classes.Length).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < _labels.Length; i++)
        {
            int c = _labels[i];
            if (c < 0 || c >= _classes.Length)
            {
                throw new ArgumentException(
                    $"Label {c} of example {i} is outside [0, {_classes.Length}); labels index the class list.", nameof(labels));
            }

            byClass[c].Add(i);
        }

        _indicesByClass = byClass.Select(l => l.ToArray()).ToArray();
        _groups = _classes.Select(c => c.Group).Where(g => g.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        Examples = examples.DetachFromDisposeScope();
    }

    /// <summary>All examples <c>[N, ...]</c>, float32 or float64. Owned by the data set: read it, do not dispose it.</summary>
    public Tensor Examples { get; }

    /// <summary>The number of examples N.</summary>
    public int Count => _labels.Length;

    /// <summary>The shape of one example (the example tensor's shape without its first dimension).</summary>
    public long[] ExampleShape => Examples.shape.Skip(1).ToArray();

    /// <summary>The class id of every example.</summary>
    public IReadOnlyList<int> Labels => _labels;

    /// <summary>What each class is; the class id is the index.</summary>
    public IReadOnlyList<LabeledClass> Classes => _classes;

    /// <summary>The distinct non-empty group names, in order of first appearance among the classes.</summary>
    public IReadOnlyList<string> Groups => _groups;

    /// <summary>The example indices of class <paramref name="classId"/>, ascending.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classId"/> is not a class id.</exception>
    public IReadOnlyList<int> IndicesOf(int classId)
    {
        CheckClassId(classId);
        return _indicesByClass[classId];
    }

    /// <summary>The ids of the classes in group <paramref name="group"/> (none if the group is unknown).</summary>
    public IReadOnlyList<int> ClassesInGroup(string group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return Enumerable.Range(0, _classes.Length).Where(c => _classes[c].Group == group).ToArray();
    }

    /// <summary>Frees the examples. A second call does nothing; samplers reading the data set throw <see cref="ObjectDisposedException"/> afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Examples.Dispose();
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> naming this type once the data set has been disposed.</summary>
    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void CheckClassId(int classId)
    {
        if (classId < 0 || classId >= _classes.Length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(classId), classId, $"Class ids run from 0 to {_classes.Length - 1}.");
        }
    }
}
