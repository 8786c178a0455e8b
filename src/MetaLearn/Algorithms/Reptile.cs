namespace MetaLearn.Algorithms;

/// <summary>
/// Reptile (Nichol et al., 2018): adapt to each task with plain SGD, then move the initialisation towards the adapted
/// weights. Like every algorithm, <see cref="EpisodicLearner.AccumulateMetaGradient(IReadOnlyList{Tasks.Episode}, int)"/>
/// only adds a meta-gradient to the parameters' <c>grad</c> and moves nothing: Reptile's direction θ − mean_t φ_t (the
/// gradient of Σ_t ½‖θ − φ_t‖² / T with the adapted weights φ_t held fixed). The outer step that follows is
/// <see cref="ReptileOptions.OuterUpdate"/>'s: by default (<see cref="ReptileOuterUpdate.Interpolation"/>) Reptile takes
/// it itself with <see cref="ApplyOuterUpdate"/>, the paper's θ ← θ + ε_i (mean_t φ_t − θ) with ε_i from
/// <see cref="ReptileOptions.OuterStepSize"/> linearly annealed over
/// <see cref="ReptileOptions.OuterStepSizeAnnealingIterations"/> (<c>MetaTrainer</c> calls it in place of its outer
/// optimizer); with <see cref="ReptileOuterUpdate.OuterOptimizer"/> the outer optimizer (Adam in <c>MetaTrainer</c> by
/// default) steps the direction.
/// </summary>
public sealed class Reptile : EpisodicLearner
{
    private readonly InnerLoop _inner;
    private readonly InnerLoopOptions _innerOptions;

    /// <summary>Creates Reptile over <paramref name="model"/> (not owned).</summary>
    public Reptile(IFunctionalModel model, ReptileOptions? options = null)
        : base("reptile", model, (options ?? new ReptileOptions()).TaskBatching)
    {
        ModelChecks.AdaptsEveryWeight(model, "Reptile");
        Options = options ?? new ReptileOptions();
        _innerOptions = new InnerLoopOptions { Steps = Options.InnerSteps, StepSize = Options.InnerStepSize, FirstOrder = true, Loss = Options.Loss };
        _inner = new InnerLoop(model, _innerOptions, headOnly: false, learnedStepSizes: null);
    }

    /// <summary>The options.</summary>
    public ReptileOptions Options { get; }

    /// <inheritdoc />
    protected override void Dispose(bool disposing) => _inner.Dispose();

    /// <inheritdoc />
    public override AdaptedModel Adapt(IReadOnlyList<Tensor> supportInputs, Tensor supportTargets, AdaptationOptions? options = null)
    {
        ThrowIfDisposed();
        var innerOptions = _innerOptions with { Steps = options?.Steps ?? _innerOptions.Steps, StepSize = options?.StepSize ?? _innerOptions.StepSize };
        using var inner = new InnerLoop(Model, innerOptions, headOnly: false, learnedStepSizes: null);
        return Adaptation.Run(Model, supportInputs, supportTargets, innerOptions.Steps, classesFromHead: true, Options.Loss, options?.Kind, options?.Seed ?? 0,
            (_, support, passes) => new AdaptedState(inner.Adapt(support, Model.Parameters, createGraph: false, passes)) { StepsTaken = innerOptions.Steps });
    }

    /// <summary>
    /// The paper's outer update after <see cref="EpisodicLearner.AccumulateMetaGradient(IReadOnlyList{Tasks.Episode}, int)"/>:
    /// θ ← θ − ε_i · grad, that is θ + ε_i (mean_t φ_t − θ), with ε_i = <see cref="ReptileOptions.OuterStepSizeAt"/>(<paramref name="iteration"/>);
    /// the gradients are then cleared (null). When a gradient is not finite nothing moves (the gradients stay for the
    /// caller to inspect) and it returns false. <c>MetaTrainer</c> calls it in place of its outer optimizer under
    /// <see cref="ReptileOuterUpdate.Interpolation"/>; call it yourself when you drive meta-training without one.
    /// </summary>
    /// <param name="iteration">The meta-iteration whose meta-gradient was accumulated (it sets ε_i).</param>
    /// <returns>Whether the parameters moved.</returns>
    /// <exception cref="InvalidOperationException"><see cref="ReptileOptions.OuterUpdate"/> is <see cref="ReptileOuterUpdate.OuterOptimizer"/>.</exception>
    public bool ApplyOuterUpdate(int iteration)
    {
        ThrowIfDisposed();
        if (Options.OuterUpdate == ReptileOuterUpdate.OuterOptimizer)
        {
            throw new InvalidOperationException("With ReptileOuterUpdate.OuterOptimizer an outer optimizer steps the meta-gradient; use ReptileOuterUpdate.Interpolation for Reptile's own update.");
        }

        using var epsilon = (-Options.OuterStepSizeAt(iteration)).ToScalar();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var grads = Model.Parameters.Select(p => p.grad).ToArray();
        if (grads.Any(g => g is not null && !isfinite(g).all().item<bool>()))
        {
            return false;
        }

        for (int i = 0; i < grads.Length; i++)
        {
            if (grads[i] is { } grad)
            {
                Model.Parameters[i].add_(grad, epsilon);
            }

            Model.Parameters[i].grad = null;
        }

        return true;
    }

    /// <inheritdoc />
    internal override bool TryOwnOuterStep(int iteration)
    {
        if (Options.OuterUpdate == ReptileOuterUpdate.OuterOptimizer)
        {
            return false;
        }

        ApplyOuterUpdate(iteration);
        return true;
    }

    private protected override MetaBatchRunner.TaskStep StepAt(int iteration) => MetaGradientStep;

    /// <summary>Adapts, adds (θ − φ_t) / T to the parameters' <c>grad</c> and scores the query set.</summary>
    private (Tensor Loss, Tensor? Accuracy) MetaGradientStep(EpisodeSide support, EpisodeSide query, int tasks)
    {
        var adapted = Adapt(support);

        // d/dθ of Σ_t ½‖θ − φ_t‖² / T is θ − mean_t φ_t: the Reptile direction, accumulated like any gradient.
        Tensor? pull = null;
        for (int i = 0; i < adapted.Length; i++)
        {
            var p = Model.Parameters[i];
            var term = (support.TaskBatched ? p.unsqueeze(0) - adapted[i] : p - adapted[i]).Squared().sum().Times(0.5 / tasks);
            pull = pull is null ? term : pull.Plus(term);
        }

        pull!.backward();
        return Score(support, query, adapted);
    }

    /// <summary>Plain SGD on the support set; the adapted weights, detached.</summary>
    private Tensor[] Adapt(EpisodeSide support) =>
        _inner.Adapt(support, support.InitialWeights(Model.Parameters), createGraph: false, Passes.MetaTraining).Select(w => w.detach()).ToArray();

    private (Tensor Loss, Tensor? Accuracy) Score(EpisodeSide support, EpisodeSide query, IReadOnlyList<Tensor> adapted)
    {
        using var noGrad = no_grad();
        var prediction = SupportStatistics.QueryForward(Model, support.Inputs, query.Inputs, adapted, Contexts.After(_innerOptions.Steps, query.TaskBatched));
        return (query.Loss(prediction, Options.Loss), query.Accuracy(prediction));
    }
}
