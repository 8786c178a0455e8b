namespace MetaLearn.Algorithms;

/// <summary>
/// Reptile (Nichol et al., 2018): adapt to each task with plain SGD, then move the initialisation towards the adapted
/// weights. By default (<see cref="ReptileOuterUpdate.Interpolation"/>) it applies the paper's update
/// θ ← θ + ε (mean_t φ_t − θ) itself, with ε from <see cref="ReptileOptions.OuterStepSize"/> linearly annealed over
/// <see cref="ReptileOptions.OuterStepSizeAnnealingIterations"/>, and leaves the gradients untouched, so a trainer's
/// outer optimizer step afterwards changes nothing. With <see cref="ReptileOuterUpdate.OuterOptimizer"/> it instead
/// accumulates θ − mean_t φ_t as the meta-gradient for the outer optimizer (Adam in <c>MetaTrainer</c> by default).
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
    public override AdaptedModel Adapt(IReadOnlyList<Tensor> supportInputs, Tensor supportTargets, AdaptationOptions? options = null)
    {
        ThrowIfDisposed();
        var innerOptions = _innerOptions with { Steps = options?.Steps ?? _innerOptions.Steps, StepSize = options?.StepSize ?? _innerOptions.StepSize };
        var inner = new InnerLoop(Model, innerOptions, headOnly: false, learnedStepSizes: null);
        return Adaptation.Run(Model, supportInputs, supportTargets, innerOptions.Steps, classesFromHead: true, Options.Loss, options?.Kind, options?.Seed ?? 0,
            (_, support, passes) => new AdaptedState(inner.Adapt(support, Model.Parameters, createGraph: false, passes)) { StepsTaken = innerOptions.Steps });
    }

    private protected override MetaBatchRunner.TaskStep StepAt(int iteration) => GradientStep;

    /// <summary>
    /// With <see cref="ReptileOuterUpdate.Interpolation"/>: runs the meta-batch, summing (φ_t − θ) / T, then applies
    /// θ ← θ + ε_i · Σ to the model's parameters when everything is finite; otherwise the parameters are left as they
    /// were and the result's loss is NaN, so a trainer's non-finite policy sees it. With
    /// <see cref="ReptileOuterUpdate.OuterOptimizer"/>: accumulates θ − mean φ as the gradient.
    /// </summary>
    private protected override MetaBatchResult RunMetaBatch(int iteration, Func<MetaBatchRunner.TaskStep, MetaBatchResult> run)
    {
        if (Options.OuterUpdate == ReptileOuterUpdate.OuterOptimizer)
        {
            return run(GradientStep);
        }

        using var scope = NewDisposeScope();
        var shift = Model.Parameters.Select(p => zeros_like(p)).ToArray();
        var result = run(InterpolationStep(shift));
        return Interpolate(iteration, result, shift);
    }

    /// <summary>
    /// With <see cref="ReptileOuterUpdate.Interpolation"/>, a share adds its (φ_t − θ) / T to the parameters' <c>grad</c>
    /// (no parameter moves); <see cref="FinishShares"/> then interpolates with their sum, as <see cref="RunMetaBatch"/> does.
    /// </summary>
    private protected override MetaBatchRunner.TaskStep ShareStepAt(int iteration)
    {
        if (Options.OuterUpdate == ReptileOuterUpdate.OuterOptimizer)
        {
            return GradientStep;
        }

        return (support, query, tasks) =>
        {
            var shift = Model.Parameters.Select(p => zeros_like(p)).ToArray();
            var scored = InterpolationStep(shift)(support, query, tasks);
            for (int i = 0; i < shift.Length; i++)
            {
                var p = Model.Parameters[i];
                if (p.grad is { } grad)
                {
                    grad.add_(shift[i]);
                }
                else
                {
                    p.grad = shift[i];
                }
            }

            return scored;
        };
    }

    /// <summary>
    /// With <see cref="ReptileOuterUpdate.Interpolation"/>: θ ← θ + ε_i · (the summed shares in <c>grad</c>), then the
    /// gradients are cleared (null, as a local interpolation leaves them).
    /// </summary>
    internal override MetaBatchResult FinishShares(int iteration, MetaBatchResult summed)
    {
        if (Options.OuterUpdate == ReptileOuterUpdate.OuterOptimizer)
        {
            return summed;
        }

        using var scope = NewDisposeScope();
        var shift = Model.Parameters.Select(p => p.grad ?? zeros_like(p)).ToArray();
        var result = Interpolate(iteration, summed, shift);
        foreach (var p in Model.Parameters)
        {
            p.grad = null;
        }

        return result;
    }

    /// <summary>A step that adapts, adds (φ_t − θ) / T to <paramref name="shift"/> and scores the query set.</summary>
    private MetaBatchRunner.TaskStep InterpolationStep(Tensor[] shift) => (support, query, tasks) =>
    {
        var adapted = Adapt(support);
        using (no_grad())
        {
            for (int i = 0; i < adapted.Length; i++)
            {
                var p = Model.Parameters[i];
                var difference = support.TaskBatched ? (adapted[i] - p.unsqueeze(0)).sum(0L) : adapted[i] - p;
                shift[i].add_(difference.Times(1.0 / tasks));
            }
        }

        return Score(support, query, adapted);
    };

    /// <summary>θ ← θ + ε_i · shift when the loss and shift are finite; otherwise nothing moves and the loss reads NaN.</summary>
    private MetaBatchResult Interpolate(int iteration, MetaBatchResult result, Tensor[] shift)
    {
        using var noGrad = no_grad();
        bool finite = double.IsFinite(result.MeanQueryLoss) && shift.All(s => isfinite(s).all().item<bool>());
        if (!finite)
        {
            return result with { MeanQueryLoss = double.NaN };
        }

        using var epsilon = Options.OuterStepSizeAt(iteration).ToScalar();
        for (int i = 0; i < shift.Length; i++)
        {
            Model.Parameters[i].add_(shift[i], epsilon);
        }

        return result;
    }

    private (Tensor Loss, Tensor? Accuracy) GradientStep(EpisodeSide support, EpisodeSide query, int tasks)
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
