using TorchSharp.Modules;

namespace MetaLearn.Algorithms;

/// <summary>
/// Model-Agnostic Meta-Learning (Finn et al., 2017) and its variants configured by <see cref="InnerLoopOptions"/>:
/// meta-learns an initialisation from which a few gradient steps on a task's support set do well on its query set. It
/// adapts on the support set with the shared differentiable inner loop, scores the query set, and back-propagates the
/// mean query loss through the adaptation. Second-order by default (gradients flow through the inner steps);
/// <see cref="FirstOrder"/> drops the second-order terms, <see cref="MetaSgd"/> learns the step sizes and
/// <see cref="Anil"/> adapts only the head. MAML++ options (multi-step loss, derivative-order annealing, per-step step
/// sizes, per-step batch norm) are set through <see cref="InnerLoopOptions"/> and the model. <see cref="Reptile"/>,
/// <see cref="Imaml"/> and <see cref="Cavia"/> are gradient-based too, but compute their meta-gradients otherwise and
/// take their own options (<see cref="InnerAdaptationOptions"/>).
/// </summary>
public sealed class Maml : EpisodicLearner
{
    private readonly InnerLoop _inner;
    private readonly InnerLoop? _headInner;
    private readonly Parameter[] _stepSizes;
    private readonly Parameter[] _metaParameters;
    private readonly bool _headOnly;

    /// <summary>
    /// Creates MAML over <paramref name="model"/> (not owned), named <c>fomaml</c> when
    /// <see cref="InnerLoopOptions.FirstOrder"/> is set and <c>maml</c> otherwise; learned step sizes (if
    /// <see cref="InnerLoopOptions.StepSizes"/> asks for them) start at <see cref="InnerLoopOptions.StepSize"/>.
    /// </summary>
    /// <param name="model">The model; the algorithm does not own it.</param>
    /// <param name="options">Inner-loop options; null takes the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="model"/> is a <see cref="Backbone"/> (only <see cref="Anil"/> adapts one).</exception>
    public Maml(IFunctionalModel model, InnerLoopOptions? options = null)
        : this((options ?? new InnerLoopOptions()).FirstOrder ? "fomaml" : "maml", model, options ?? new InnerLoopOptions(), headOnly: false)
    {
    }

    /// <summary>Creates the algorithm; learned step sizes (if any) start at <see cref="InnerLoopOptions.StepSize"/>.</summary>
    /// <param name="name">The algorithm's short name.</param>
    /// <param name="model">The model; the algorithm does not own it.</param>
    /// <param name="options">Inner-loop options.</param>
    /// <param name="headOnly">Whether only the head's parameters are adapted (ANIL); a <see cref="Backbone"/> needs it.</param>
    /// <exception cref="ArgumentException"><paramref name="model"/> is a <see cref="Backbone"/> and not only the head is adapted.</exception>
    private Maml(string name, IFunctionalModel model, InnerLoopOptions options, bool headOnly)
        : base(name, model, (options ?? throw new ArgumentNullException(nameof(options))).TaskBatching)
    {
        if (!headOnly)
        {
            ModelChecks.AdaptsEveryWeight(model, name);
        }

        if (options.ParallelTasks > 1 && model is not FunctionalModel { TrainsTasksIndependently: true })
        {
            throw new ArgumentException(
                $"InnerLoopOptions.ParallelTasks = {options.ParallelTasks} needs a model built from layers (Conv4, Mlp, FunctionalModel.FromModule) whose training passes keep no state " +
                $"from task to task (no dropout, no batch-norm running statistics), so that tasks computed at once give what they give one at a time; {model.GetType().Name} is not one. " +
                "Set ParallelTasks = 1.",
                nameof(options));
        }

        Options = options;
        _headOnly = headOnly;
        _stepSizes = CreateStepSizes(model, options, headOnly);
        _metaParameters = model.Parameters.Concat(_stepSizes).ToArray();
        _inner = new InnerLoop(model, options, headOnly, _stepSizes.Length == 0 ? null : _stepSizes);
        _headInner = model is Backbone backbone ? HeadLoop(backbone, options) : null;
    }

    /// <summary>The inner-loop options.</summary>
    public InnerLoopOptions Options { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> MetaParameters => _metaParameters;

    /// <summary>The learned step sizes, one per model parameter (empty when step sizes are fixed).</summary>
    public IReadOnlyList<Parameter> LearnedStepSizes => _stepSizes;

    /// <summary>Which model parameters the inner loop adapts.</summary>
    public IReadOnlyList<bool> AdaptedParameters => _inner.Adapted;

    /// <summary>First-order MAML, named <c>fomaml</c>: <paramref name="options"/> with <see cref="InnerLoopOptions.FirstOrder"/> set.</summary>
    /// <param name="model">The model; the algorithm does not own it.</param>
    /// <param name="options">Inner-loop options; null takes the defaults.</param>
    /// <returns>A new algorithm the caller disposes.</returns>
    public static Maml FirstOrder(IFunctionalModel model, InnerLoopOptions? options = null) =>
        new(model, (options ?? new InnerLoopOptions()) with { FirstOrder = true });

    /// <summary>
    /// Meta-SGD (Li et al., 2017), named <c>metasgd</c>: MAML whose inner step size is a learned tensor the shape of
    /// each parameter (<paramref name="options"/> with <see cref="InnerLoopOptions.StepSizes"/> =
    /// <see cref="StepSizeMode.PerElement"/>), meta-learned with the initialisation; the step sizes
    /// (<see cref="LearnedStepSizes"/>) start at <see cref="InnerLoopOptions.StepSize"/>.
    /// </summary>
    /// <param name="model">The model; the algorithm does not own it.</param>
    /// <param name="options">Inner-loop options; null takes the defaults.</param>
    /// <returns>A new algorithm the caller disposes.</returns>
    /// <exception cref="ArgumentException"><paramref name="model"/> is a <see cref="Backbone"/> (only <see cref="Anil"/> adapts one).</exception>
    public static Maml MetaSgd(IFunctionalModel model, InnerLoopOptions? options = null) =>
        new("metasgd", model, (options ?? new InnerLoopOptions()) with { StepSizes = StepSizeMode.PerElement }, headOnly: false);

    /// <summary>
    /// ANIL, "almost no inner loop" (Raghu et al., 2020), named <c>anil</c>: MAML that adapts only the head (the
    /// parameters from <see cref="IFunctionalModel.HeadStart"/> on, see <see cref="AdaptedParameters"/>) in the inner
    /// loop; the body is shared and meta-learned by the outer loop.
    /// </summary>
    /// <param name="model">The model, which must have a head; the algorithm does not own it.</param>
    /// <param name="options">Inner-loop options; null takes the defaults.</param>
    /// <returns>A new algorithm the caller disposes.</returns>
    public static Maml Anil(IFunctionalModel model, InnerLoopOptions? options = null) =>
        new("anil", model, options ?? new InnerLoopOptions(), headOnly: true);

    /// <inheritdoc />
    public override AdaptedModel Adapt(IReadOnlyList<Tensor> supportInputs, Tensor supportTargets, AdaptationOptions? options = null)
    {
        ThrowIfDisposed();
        int steps = options?.Steps ?? Options.Steps;
        if (options?.StepSize is not null && _stepSizes.Length > 0)
        {
            throw new ArgumentException(
                $"{Name} uses learned step sizes ({Options.StepSizes}); leave AdaptationOptions.StepSize null (only the number of steps can change).", nameof(options));
        }

        var adaptOptions = Options with { Steps = steps, StepSize = options?.StepSize ?? Options.StepSize, MultiStepLossIterations = 0 };
        using var inner = new InnerLoop(Model, adaptOptions, _headOnly, _stepSizes.Length == 0 ? null : _stepSizes);
        return Adaptation.Run(Model, supportInputs, supportTargets, steps, classesFromHead: true, Options.Loss, options?.Kind, options?.Seed ?? 0, (model, support, passes) =>
        {
            if (model is not FrozenBackbone frozen)
            {
                return new AdaptedState(inner.Adapt(support, Model.Parameters, createGraph: false, passes)) { StepsTaken = steps };
            }

            // The head adapts on the support features of the frozen copy, which the adapted model runs its body in.
            using var head = HeadLoop((Backbone)Model, adaptOptions);
            var features = support.WithInput(frozen.Features(support.Inputs[0], taskBatched: false));
            var adaptedHead = head.Adapt(features, frozen.Parameters.Skip(frozen.HeadStart).ToArray(), createGraph: false, passes);
            return new AdaptedState(frozen.Parameters.Take(frozen.HeadStart).Concat(adaptedHead).ToArray()) { StepsTaken = steps };
        });
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        foreach (var s in _stepSizes)
        {
            s.Dispose();
        }

        _inner.Dispose();
        _headInner?.Dispose();
    }

    private protected override MetaBatchRunner.TaskStep StepAt(int iteration)
    {
        var (secondOrder, stepWeights) = SettingsAt(iteration);
        return (support, query, tasks) =>
        {
            var (objective, losses, accuracies) = Model is Backbone backbone
                ? ObjectiveOnFeatures(backbone, support, query, secondOrder, stepWeights)
                : Objective(Model, _inner, support, query, secondOrder, stepWeights);
            objective.Times(1.0 / tasks).backward();
            return (losses, accuracies);
        };
    }

    /// <summary>
    /// With <see cref="InnerLoopOptions.ParallelTasks"/> &gt; 1: the same step as <see cref="StepAt"/>, returning the
    /// gradient of the task's scaled objective with respect to each meta-parameter (autograd.grad over those that
    /// require one) instead of adding it to <c>grad</c>.
    /// </summary>
    private protected override MetaBatchRunner.ParallelPlan? ParallelPlanAt(int iteration)
    {
        if (Options.ParallelTasks < 2)
        {
            return null;
        }

        var (secondOrder, stepWeights) = SettingsAt(iteration);
        var parameters = _metaParameters;
        return new MetaBatchRunner.ParallelPlan(Options.ParallelTasks, parameters, (support, query, tasks) =>
        {
            var (objective, losses, accuracies) = Objective(Model, _inner, support, query, secondOrder, stepWeights);
            var differentiable = Enumerable.Range(0, parameters.Length).Where(i => parameters[i].requires_grad).ToArray();
            var grads = torch.autograd.grad(new[] { objective.Times(1.0 / tasks) }, differentiable.Select(i => (Tensor)parameters[i]).ToArray(), allow_unused: true);
            var result = new Tensor?[parameters.Length];
            for (int k = 0; k < differentiable.Length; k++)
            {
                result[differentiable[k]] = grads[k].IsInvalid ? null : grads[k];
            }

            return (losses, accuracies, result);
        });
    }

    /// <summary>Whether meta-iteration <paramref name="iteration"/> is second order, and its multi-step loss weights (null: final step only).</summary>
    private (bool SecondOrder, double[]? StepWeights) SettingsAt(int iteration) =>
        (!Options.FirstOrder && iteration >= Options.FirstOrderIterations,
         iteration < Options.MultiStepLossIterations && Options.Steps > 1
            ? MultiStepLossSchedule.Weights(Options.Steps, iteration, Options.MultiStepLossIterations, Options.MultiStepLossFloor)
            : null);

    /// <summary>
    /// The meta-objective of a (task-batched) task: the sum over tasks of the query loss after adaptation, or with
    /// <paramref name="stepWeights"/> the weighted sum over inner steps of the query losses after each step (the
    /// MAML++ multi-step loss; the final step's query forward is the one the final loss and accuracy come from).
    /// Each query pass normalises as an adapted model would (<see cref="SupportStatistics.QueryForward"/>).
    /// Also returns each task's final query loss and accuracy, detached.
    /// </summary>
    private (Tensor Objective, Tensor FinalLosses, Tensor? Accuracies) Objective(
        IFunctionalModel model, InnerLoop inner, EpisodeSide support, EpisodeSide query, bool createGraph, double[]? stepWeights)
    {
        Tensor? multiStep = null;
        Tensor? finalPrediction = null;
        int steps = Options.Steps;
        Action<int, IReadOnlyList<Tensor>>? afterStep = stepWeights is null
            ? null
            : (step, w) =>
            {
                if (step < steps && stepWeights[step - 1] == 0)
                {
                    return;
                }

                var prediction = SupportStatistics.QueryForward(model, support.Inputs, query.Inputs, w, Contexts.After(step, query.TaskBatched));
                finalPrediction = step == steps ? prediction : null;
                var stepLoss = query.LossSum(prediction, Options.Loss).Times(stepWeights[step - 1]);
                multiStep = multiStep is null ? stepLoss : multiStep.Plus(stepLoss);
            };

        var weights = inner.Adapt(support, support.InitialWeights(model.Parameters), createGraph, Passes.MetaTraining, afterStep);
        var final = finalPrediction ?? SupportStatistics.QueryForward(model, support.Inputs, query.Inputs, weights, Contexts.After(steps, query.TaskBatched));
        var perTask = query.Loss(final, Options.Loss);
        var accuracy = query.Accuracy(final);
        return (multiStep ?? perTask.sum(), perTask.detach(), accuracy);
    }

    /// <summary>
    /// ANIL's objective over a <see cref="Backbone"/>: one pass of its module embeds the meta-batch's support and query
    /// examples, then the head adapts on the support features; the meta-gradient reaches the module through the features.
    /// </summary>
    private (Tensor Objective, Tensor FinalLosses, Tensor? Accuracies) ObjectiveOnFeatures(
        Backbone backbone, EpisodeSide support, EpisodeSide query, bool createGraph, double[]? stepWeights)
    {
        var (supportFeatures, queryFeatures) = BackboneFeatures.Embed(backbone, support, query);
        return Objective(backbone.Head!, _headInner!, support.WithInput(supportFeatures), query.WithInput(queryFeatures), createGraph, stepWeights);
    }

    /// <summary>The inner loop over a backbone's head (the learned step sizes of its parameters, if any).</summary>
    private InnerLoop HeadLoop(Backbone backbone, InnerLoopOptions options) =>
        new(backbone.Head ?? throw new ArgumentException("The backbone has no head to adapt; give it one with BackboneOptions.Ways (and Features)."),
            options, headOnly: false, _stepSizes.Length == 0 ? null : _stepSizes.Skip(backbone.HeadStart).ToArray());

    private static Parameter[] CreateStepSizes(IFunctionalModel model, InnerLoopOptions options, bool headOnly)
    {
        if (options.StepSizes == StepSizeMode.Fixed)
        {
            return Array.Empty<Parameter>();
        }

        var result = new Parameter[model.Parameters.Count];
        for (int i = 0; i < result.Length; i++)
        {
            using var scope = NewDisposeScope();
            var shape = options.StepSizes == StepSizeMode.PerElement ? model.Parameters[i].shape : new long[] { options.Steps };
            var parameter = new Parameter(ScalarMath.Filled(shape, options.StepSize, model.DType, model.Device), requires_grad: !headOnly || i >= model.HeadStart);
            parameter.DetachFromDisposeScope();
            result[i] = parameter;
        }

        return result;
    }
}
