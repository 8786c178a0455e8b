namespace MetaLearn.Algorithms;

/// <summary>
/// CAVIA, fast context adaptation via meta-learning (Zintgraf et al., 2019): <see cref="CaviaOptions.ContextSize"/>
/// context parameters, reset to zero for every task, are concatenated to each input vector and are the only thing the
/// inner loop adapts (plain gradient steps on the support loss); the network's weights are shared by all tasks and
/// meta-learned by the outer loop through the adapted context (second order unless
/// <see cref="CaviaOptions.FirstOrder"/>). The model takes one feature-vector input whose size is the data's features
/// plus the context size (e.g. an <see cref="Mlp"/> with LayerSizes[0] = features + ContextSize).
/// </summary>
public sealed class Cavia : EpisodicLearner
{
    private readonly Scalar _negativeStepSize;

    /// <summary>Creates CAVIA over <paramref name="model"/> (not owned).</summary>
    public Cavia(IFunctionalModel model, CaviaOptions? options = null)
        : base("cavia", model, (options ?? new CaviaOptions()).TaskBatching)
    {
        ModelChecks.AdaptsEveryWeight(model, "CAVIA (whose context input is adapted through the whole network)");
        Options = options ?? new CaviaOptions();
        _negativeStepSize = (-Options.InnerStepSize).ToScalar();
    }

    /// <summary>The options.</summary>
    public CaviaOptions Options { get; }

    /// <inheritdoc />
    /// <remarks>
    /// Only the context adapts (from zero, <see cref="AdaptationOptions.Steps"/> steps of size
    /// <see cref="AdaptationOptions.StepSize"/>, defaults from <see cref="CaviaOptions"/>); the adapted model appends it to
    /// every row it predicts, so rows have the data's features (the model's input size minus the context size).
    /// </remarks>
    public override AdaptedModel Adapt(IReadOnlyList<Tensor> supportInputs, Tensor supportTargets, AdaptationOptions? options = null)
    {
        ThrowIfDisposed();
        int steps = options?.Steps ?? Options.InnerSteps;
        using var negativeStepSize = (-(options?.StepSize ?? Options.InnerStepSize)).ToScalar();
        return Adaptation.Run(Model, supportInputs, supportTargets, steps, classesFromHead: false, Options.Loss, options?.Kind, options?.Seed ?? 0,
            (_, support, passes) => new AdaptedState(Model.Parameters) { TaskContext = AdaptContext(support, Model.Parameters, createGraph: false, steps, negativeStepSize, passes) });
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing) => _negativeStepSize.Dispose();

    private protected override MetaBatchRunner.TaskStep StepAt(int iteration) => Step;

    /// <summary>
    /// The task's context after the inner loop (shape [ContextSize], or [T, ContextSize] task-batched), starting from
    /// zero; the network weights are read, never changed.
    /// </summary>
    /// <returns>The context, in the current dispose scope.</returns>
    private Tensor AdaptContext(EpisodeSide support, IReadOnlyList<Tensor> weights, bool createGraph, int steps, Scalar negativeStepSize, Passes passes)
    {
        CheckInput(support);
        long[] shape = support.TaskBatched ? new long[] { support.Tasks, Options.ContextSize } : new long[] { Options.ContextSize };
        var context = zeros(shape, dtype: Model.DType, device: Model.Device).requires_grad_(true);
        for (int step = 0; step < steps; step++)
        {
            var loss = support.LossSum(Model.Forward(WithContext(support, context), weights, passes.Step(0, support.TaskBatched)), Options.Loss);
            var grad = torch.autograd.grad(new[] { loss }, new[] { context }, retain_graph: createGraph, create_graph: createGraph)[0];
            context = context.add(grad, negativeStepSize);
            if (!createGraph)
            {
                context = context.detach().requires_grad_(true);
            }
        }

        return context;
    }

    /// <summary>
    /// <paramref name="x"/> [N, F] (or [T, N, F]) with <paramref name="context"/> [C] (or [T, C]) appended to every
    /// row: [N, F + C] (or [T, N, F + C]).
    /// </summary>
    /// <returns>A tensor in the current dispose scope.</returns>
    internal static Tensor AppendContext(Tensor x, Tensor context)
    {
        var shape = x.shape.ToArray();
        shape[^1] = context.shape[^1];
        return cat(new[] { x, context.unsqueeze(-2).expand(shape) }, -1);
    }

    /// <summary>The side's inputs with the context appended to every example's features.</summary>
    private static Tensor[] WithContext(EpisodeSide side, Tensor context) => new[] { AppendContext(side.Inputs[0], context) };

    private (Tensor Losses, Tensor? Accuracies) Step(EpisodeSide support, EpisodeSide query, int tasks)
    {
        var weights = support.InitialWeights(Model.Parameters);
        var context = AdaptContext(support, weights, createGraph: !Options.FirstOrder, Options.InnerSteps, _negativeStepSize, Passes.MetaTraining);
        var prediction = SupportStatistics.QueryForward(Model, WithContext(support, context), WithContext(query, context), weights, new ForwardContext(0, query.TaskBatched));
        var perTask = query.Loss(prediction, Options.Loss);
        perTask.sum().Times(1.0 / tasks).backward();
        return (perTask.detach(), query.Accuracy(prediction));
    }

    private static void CheckInput(EpisodeSide side)
    {
        long rank = side.TaskBatched ? 3 : 2;
        if (side.Inputs.Count != 1 || side.Inputs[0].dim() != rank)
        {
            throw new ArgumentException(
                $"CAVIA appends its context to a single feature-vector input ([examples, features]) but the episode has {side.Inputs.Count} " +
                $"input(s) of rank {side.Inputs[0].dim() - (side.TaskBatched ? 1 : 0)}; flatten images first or use an algorithm that adapts weights (maml).");
        }
    }
}
