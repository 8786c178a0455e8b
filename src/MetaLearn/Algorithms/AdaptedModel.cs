using MetaLearn.Models;
using MetaLearn.Tasks;
using static TorchSharp.torch;

namespace MetaLearn.Algorithms;

/// <summary>
/// A model adapted once to a support set by <see cref="IMetaAlgorithm.Adapt"/>: it predicts values, classes and class
/// probabilities for any number of unlabelled rows without adapting again. It owns detached copies of its weights (and,
/// for Prototypical Networks, the class prototypes), so later meta-training does not change it; dispose it to free
/// them. It runs the learner's model as the architecture: keep that model alive while predicting.
/// </summary>
public sealed class AdaptedModel : IDisposable
{
    private readonly Tensor[] _weights;
    private readonly ForwardContext _context;
    private bool _disposed;

    internal AdaptedModel(IFunctionalModel model, Tensor[] weights, Tensor? prototypes, int steps, double supportLoss, TaskKind kind)
    {
        Model = model;
        _weights = weights;
        Prototypes = prototypes;
        Steps = steps;
        SupportLoss = supportLoss;
        Kind = kind;
        _context = Contexts.Predicting(steps);
    }

    /// <summary>The architecture the weights run in (the learner's model; not owned).</summary>
    public IFunctionalModel Model { get; }

    /// <summary>The adapted weights, in <see cref="IFunctionalModel.Parameters"/> order; owned by this object (do not dispose).</summary>
    public IReadOnlyList<Tensor> Weights => _weights;

    /// <summary>The names of <see cref="Weights"/> (<see cref="IFunctionalModel.ParameterNames"/>).</summary>
    public IReadOnlyList<string> WeightNames => Model.ParameterNames;

    /// <summary>Prototypical Networks' class prototypes [classes, embedding] (null for the other algorithms); owned by this object.</summary>
    public Tensor? Prototypes { get; }

    /// <summary>The inner steps the adaptation took (0 for Prototypical Networks).</summary>
    public int Steps { get; }

    /// <summary>The mean loss on the support set after adaptation, in the algorithm's loss (by default the kind's: cross-entropy, mean squared error or binary cross-entropy).</summary>
    public double SupportLoss { get; }

    /// <summary>What the support targets were: class labels, regression values or multi-label values.</summary>
    public TaskKind Kind { get; }

    /// <summary>Whether the support set was classification (int64 classes).</summary>
    public bool IsClassification => Kind == TaskKind.Classification;

    /// <summary>Detached copies of the adapted weights on the CPU, by name (e.g. to save, or to load into a module).</summary>
    /// <returns>New tensors the caller owns.</returns>
    public IReadOnlyDictionary<string, Tensor> ExportWeights()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < _weights.Length; i++)
        {
            result[WeightNames[i]] = _weights[i].detach().cpu().clone().DetachFromDisposeScope();
        }

        if (Prototypes is not null)
        {
            result["prototypes"] = Prototypes.detach().cpu().clone().DetachFromDisposeScope();
        }

        return result;
    }

    /// <summary>The model's outputs for <paramref name="inputs"/> (one tensor per modality, <c>[N, ...]</c>): logits or values.</summary>
    /// <returns>A detached tensor the caller owns.</returns>
    public Tensor Predict(IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var converted = inputs.Select(t => t.is_floating_point() ? t.to(Model.DType, Model.Device) : t.to(Model.Device)).ToArray();
        var output = Model.Forward(converted, _weights, _context);
        if (Prototypes is not null)
        {
            output = (output.unsqueeze(-2) - Prototypes.unsqueeze(-3)).Squared().sum(-1).neg();
        }

        return output.detach().MoveToOuterDisposeScope();
    }

    /// <summary>The model's outputs for single-modality rows <c>[N, ...]</c>: logits or values.</summary>
    /// <returns>A detached tensor the caller owns.</returns>
    public Tensor Predict(Tensor rows) => Predict(new[] { rows });

    /// <summary>Class probabilities (softmax of the logits) for single-modality rows.</summary>
    /// <returns>A tensor [N, classes] the caller owns.</returns>
    public Tensor PredictProbabilities(Tensor rows)
    {
        RequireClassification();
        using var scope = NewDisposeScope();
        return Predict(rows).softmax(-1).MoveToOuterDisposeScope();
    }

    /// <summary>The most probable class of each single-modality row.</summary>
    /// <returns>An int64 tensor [N] the caller owns.</returns>
    public Tensor PredictClasses(Tensor rows)
    {
        RequireClassification();
        using var scope = NewDisposeScope();
        return Predict(rows).argmax(-1).MoveToOuterDisposeScope();
    }

    /// <summary>The model's outputs (values, or logits) for rows of features.</summary>
    /// <param name="rows">Rows by features.</param>
    /// <returns>Rows by outputs.</returns>
    public float[,] PredictValues(float[,] rows)
    {
        using var scope = NewDisposeScope();
        return ToArray(Predict(ArrayTensors.Rows(rows)));
    }

    /// <summary>The most probable class of each row of features.</summary>
    public long[] PredictClasses(float[,] rows)
    {
        using var scope = NewDisposeScope();
        return PredictClasses(ArrayTensors.Rows(rows)).cpu().data<long>().ToArray();
    }

    /// <summary>Class probabilities for rows of features, rows by classes.</summary>
    public float[,] PredictProbabilities(float[,] rows)
    {
        using var scope = NewDisposeScope();
        return ToArray(PredictProbabilities(ArrayTensors.Rows(rows)));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var w in _weights)
        {
            w.Dispose();
        }

        Prototypes?.Dispose();
    }

    private void RequireClassification()
    {
        if (!IsClassification)
        {
            throw new InvalidOperationException("The model was adapted to regression values; use Predict or PredictValues (classes and probabilities need a classification support set).");
        }
    }

    private static float[,] ToArray(Tensor output)
    {
        var flat = output.reshape(output.shape[0], -1).to(ScalarType.Float32).cpu().contiguous();
        var values = flat.data<float>().ToArray();
        var result = new float[flat.shape[0], flat.shape[1]];
        Buffer.BlockCopy(values, 0, result, 0, values.Length * sizeof(float));
        return result;
    }
}
