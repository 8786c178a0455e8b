namespace MetaLearn.Algorithms;

/// <summary>
/// What an adaptation produced, and how it predicts: the model's weights and, per algorithm, what sits around the
/// network: Prototypical Networks' class prototypes, CAVIA's task context (appended to every input row), R2D2's ridge
/// head (logits = scale · embedding · W + bias), fine-tuning's fitted classifier.
/// </summary>
/// <param name="Weights">The model's weights, in parameter order.</param>
internal sealed record AdaptedState(IReadOnlyList<Tensor> Weights)
{
    /// <summary>Class prototypes [classes, embedding] (Prototypical Networks).</summary>
    public Tensor? Prototypes { get; init; }

    /// <summary>The adapted context vector [context] appended to every input row (CAVIA).</summary>
    public Tensor? TaskContext { get; init; }

    /// <summary>The ridge head's W [embedding, classes] (R2D2).</summary>
    public Tensor? RidgeWeights { get; init; }

    /// <summary>The ridge head's scale α (R2D2).</summary>
    public Tensor? RidgeScale { get; init; }

    /// <summary>The ridge head's bias β (R2D2), if learned.</summary>
    public Tensor? RidgeBias { get; init; }

    /// <summary>The classifier fitted on the support embeddings (<see cref="FineTuning"/>).</summary>
    public Classifier? Classifier { get; init; }

    /// <summary>The inner step whose context predictions use (<see cref="Contexts.Predicting"/>).</summary>
    public int StepsTaken { get; init; }

    /// <summary>
    /// The batch-norm statistics predictions normalise with (the support set's under the adapted weights, copies of the
    /// running statistics); null until collected.
    /// </summary>
    public NormStatistics? Statistics { get; init; }

    /// <summary>
    /// The frozen copy of a <see cref="Backbone"/>'s module the weights run in: the weights before its head are its own
    /// parameters, which are neither copied nor freed here; the state holds the lease and gives it back when disposed.
    /// </summary>
    public FrozenBackbone? Frozen { get; init; }

    /// <summary>Everything besides the weights, by export name.</summary>
    public IEnumerable<(string Name, Tensor Value)> Extras()
    {
        var all = new (string, Tensor?)[]
        {
            ("prototypes", Prototypes), ("context", TaskContext), ("ridge.weights", RidgeWeights), ("ridge.scale", RidgeScale), ("ridge.bias", RidgeBias),
            ("classifier.weight", Classifier?.Weight), ("classifier.bias", Classifier?.Bias), ("classifier.scale", Classifier?.Scale),
        };
        return all.Where(p => p.Item2 is not null).Select(p => (p.Item1, p.Item2!));
    }

    /// <summary>Detached copies of every tensor, out of every dispose scope (the caller owns them).</summary>
    public AdaptedState Keep() => this with
    {
        Weights = Weights.Select((w, i) => IsFrozen(i) ? w : Copy(w)).ToArray(),
        Prototypes = CopyOrNull(Prototypes),
        TaskContext = CopyOrNull(TaskContext),
        RidgeWeights = CopyOrNull(RidgeWeights),
        RidgeScale = CopyOrNull(RidgeScale),
        RidgeBias = CopyOrNull(RidgeBias),
        Classifier = Classifier is null ? null : Classifier with { Weight = Copy(Classifier.Weight), Bias = CopyOrNull(Classifier.Bias), Scale = CopyOrNull(Classifier.Scale) },
        Statistics = (Statistics ?? NormStatistics.Empty).Keep(),
    };

    /// <summary>
    /// The predictions (logits or values) for <paramref name="inputs"/>, in evaluation mode with <see cref="Statistics"/>:
    /// each row's prediction depends only on that row (unless the model's batch norm is transductive).
    /// </summary>
    /// <returns>A tensor in the current dispose scope.</returns>
    public Tensor Output(IFunctionalModel model, IReadOnlyList<Tensor> inputs) =>
        Output(model, inputs, Contexts.Predicting(StepsTaken) with { Statistics = Statistics ?? NormStatistics.Empty });

    /// <summary>The predictions for <paramref name="inputs"/> in <paramref name="context"/> (e.g. a pass collecting statistics).</summary>
    /// <returns>A tensor in the current dispose scope.</returns>
    public Tensor Output(IFunctionalModel model, IReadOnlyList<Tensor> inputs, ForwardContext context)
    {
        if (TaskContext is not null)
        {
            inputs = new[] { Cavia.AppendContext(inputs[0], TaskContext) };
        }

        var output = HeldModels.Forward(model, inputs, Weights, context);
        if (Prototypes is not null)
        {
            output = PrototypicalNetworks.NegativeSquaredDistances(output, Prototypes);
        }

        if (RidgeWeights is not null)
        {
            output = R2D2.RidgeLogits(output, RidgeWeights, RidgeScale!, RidgeBias);
        }

        if (Classifier is not null)
        {
            output = Classifier.Logits(output);
        }

        return output;
    }

    /// <summary>Frees the weights and extras.</summary>
    public void DisposeTensors()
    {
        for (int i = 0; i < Weights.Count; i++)
        {
            if (!IsFrozen(i))
            {
                Weights[i].Dispose();
            }
        }

        foreach (var (_, value) in Extras())
        {
            value.Dispose();
        }

        Statistics?.DisposeTensors();
        Frozen?.Dispose();
    }

    /// <summary>Whether weight <paramref name="index"/> is a parameter of the frozen backbone copy (owned by its lease).</summary>
    private bool IsFrozen(int index) => Frozen is not null && index < Frozen.HeadStart;

    private static Tensor Copy(Tensor t) => t.detach().clone().DetachFromDisposeScope();

    private static Tensor? CopyOrNull(Tensor? t) => t is null ? null : Copy(t);
}
