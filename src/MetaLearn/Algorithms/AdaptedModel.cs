namespace MetaLearn.Algorithms;

/// <summary>
/// A model adapted once to a support set by <see cref="IMetaAlgorithm.Adapt"/>: it predicts values, classes and class
/// probabilities for any number of unlabelled rows without adapting again. It owns detached copies of everything it
/// reads: its weights, the algorithm's extras (prototypes, context, ridge head) and the batch-norm statistics it
/// normalises with (the support set's under the adapted weights, or a copy of the running statistics; see
/// <see cref="BatchNormStatistics"/>), so its predictions do not change when the learner adapts again, is evaluated or
/// is trained further. It stays valid until it is disposed: it runs the learner's model as the architecture and holds
/// it, so disposing the learner, the algorithm or the model does not break it (their memory is freed when the last
/// adapted model made from them is disposed too; a <see cref="Backbone"/>'s adapted model holds its own frozen copy).
/// The caller owns it and disposes it; a second <c>Dispose</c> does nothing, and its members throw
/// <see cref="ObjectDisposedException"/> after the first.
/// </summary>
/// <remarks>
/// <para>A row's prediction depends only on that row: predictions run in evaluation mode (no dropout) with the frozen
/// statistics, except with <see cref="BatchNormStatistics.Transductive"/> batch norm, which normalises each call over
/// the rows of that call.</para>
/// <para>Thread safety: it holds no mutable state, so any number of threads may call its predicting members at once
/// (also while other threads adapt the same learner), as long as it is not disposed meanwhile.</para>
/// <para>A model type of your own (an <see cref="IFunctionalModel"/> that does not derive from
/// <see cref="FunctionalModel"/>) is run as it is: keep it alive while adapted models made from it predict.</para>
/// </remarks>
public sealed class AdaptedModel : IDisposable
{
    private readonly AdaptedState _state;
    private readonly IHeldModel? _held;
    private int _disposed;

    /// <param name="model">The model the weights run in.</param>
    /// <param name="state">What the adaptation produced; owned from now on.</param>
    /// <param name="held">The hold on <paramref name="model"/> taken for this adapted model (released when it is disposed), if any.</param>
    /// <param name="steps">The inner steps taken.</param>
    /// <param name="supportLoss">The support loss after adaptation.</param>
    /// <param name="kind">The support targets' kind.</param>
    internal AdaptedModel(IFunctionalModel model, AdaptedState state, IHeldModel? held, int steps, double supportLoss, TaskKind kind)
    {
        Model = model;
        _state = state;
        _held = held;
        Steps = steps;
        SupportLoss = supportLoss;
        Kind = kind;
    }

    /// <summary>The architecture the weights run in (the learner's model, held but not owned: it may already be disposed).</summary>
    public IFunctionalModel Model { get; }

    /// <summary>The adapted weights, in <see cref="IFunctionalModel.Parameters"/> order; owned by this object (do not dispose).</summary>
    public IReadOnlyList<Tensor> Weights => Alive()._state.Weights;

    /// <summary>The names of <see cref="Weights"/> (<see cref="IFunctionalModel.ParameterNames"/>).</summary>
    public IReadOnlyList<string> WeightNames => Model.ParameterNames;

    /// <summary>Prototypical Networks' class prototypes [classes, embedding] (null for the other algorithms); owned by this object.</summary>
    public Tensor? Prototypes => Alive()._state.Prototypes;

    /// <summary>The inner steps the adaptation took (0 for Prototypical Networks and R2D2).</summary>
    public int Steps { get; }

    /// <summary>The mean loss on the support set after adaptation, in the algorithm's loss (by default the kind's: cross-entropy, mean squared error or binary cross-entropy).</summary>
    public double SupportLoss { get; }

    /// <summary>What the support targets were: class labels, regression values or multi-label values.</summary>
    public TaskKind Kind { get; }

    /// <summary>Whether the support set was classification (int64 classes).</summary>
    public bool IsClassification => Kind == TaskKind.Classification;

    /// <summary>
    /// Detached copies of the adapted weights on the CPU, by name (e.g. to save, or to load into a module), and the
    /// algorithm's adapted extras: <c>prototypes</c> (Prototypical Networks), <c>context</c> (CAVIA, appended to every
    /// input row), <c>ridge.weights</c>, <c>ridge.scale</c>, <c>ridge.bias</c> (R2D2: logits = scale · embedding · W + bias).
    /// </summary>
    /// <returns>New tensors the caller owns.</returns>
    public IReadOnlyDictionary<string, Tensor> ExportWeights()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < Weights.Count; i++)
        {
            result[WeightNames[i]] = Weights[i].detach().cpu().clone().DetachFromDisposeScope();
        }

        foreach (var (name, value) in _state.Extras())
        {
            result[name] = value.detach().cpu().clone().DetachFromDisposeScope();
        }

        return result;
    }

    /// <summary>The model's outputs for <paramref name="inputs"/> (one tensor per modality, <c>[N, ...]</c>): logits or values.</summary>
    /// <returns>A detached tensor the caller owns.</returns>
    public Tensor Predict(IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var converted = inputs.Select(t => t.is_floating_point() ? t.to(Model.DType, Model.Device) : t.to(Model.Device)).ToArray();
        return _state.Output(Model, converted).detach().MoveToOuterDisposeScope();
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

    /// <summary>Frees the adapted weights, extras and statistics, and gives back the hold on the model. A second call does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _state.DisposeTensors();
        _held?.ReleaseHold();
    }

    private AdaptedModel Alive()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return this;
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
