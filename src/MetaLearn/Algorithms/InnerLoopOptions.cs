namespace MetaLearn.Algorithms;

/// <summary>Options of the inner loop shared by the gradient-based algorithms (MAML, Meta-SGD, ANIL).</summary>
public sealed record InnerLoopOptions : MetaAlgorithmOptions
{
    private readonly int _steps = 1;
    private readonly double _stepSize = 0.01;
    private readonly int _firstOrderIterations;
    private readonly int _multiStepLossIterations;
    private readonly double _multiStepLossFloor = 0.03;
    private readonly double _momentum = 0.9;
    private readonly double _adamBeta1 = 0.9;
    private readonly double _adamBeta2 = 0.999;
    private readonly double _adamEpsilon = 1e-8;
    private readonly Loss _loss = Loss.ByTaskKind;
    private readonly int _parallelTasks = 1;

    /// <summary>Gradient steps on the support set. <value>Default 1. At least 1.</value></summary>
    public int Steps
    {
        get => _steps;
        init => _steps = OptionChecks.AtLeast(value, 1, nameof(Steps), "The inner loop needs at least one step.");
    }

    /// <summary>The step size (the initial value when step sizes are learned). <value>Default 0.01. Positive and finite.</value></summary>
    public double StepSize
    {
        get => _stepSize;
        init => _stepSize = OptionChecks.PositiveFinite(value, nameof(StepSize), "The inner step size must be positive and finite (e.g. 0.01).");
    }

    /// <summary>
    /// Whether to drop second-order terms: the meta-gradient is then the query-loss gradient at the adapted weights.
    /// </summary>
    /// <value>Default false (true second-order MAML).</value>
    public bool FirstOrder { get; init; }

    /// <summary>How step sizes are set. <value>Default <see cref="StepSizeMode.Fixed"/>.</value></summary>
    public StepSizeMode StepSizes { get; init; } = StepSizeMode.Fixed;

    /// <summary>
    /// MAML++ derivative-order annealing: meta-iterations before this one run first-order.
    /// </summary>
    /// <value>Default 0 (none). Zero or more.</value>
    public int FirstOrderIterations
    {
        get => _firstOrderIterations;
        init => _firstOrderIterations = OptionChecks.AtLeast(value, 0, nameof(FirstOrderIterations), "Must be zero or more.");
    }

    /// <summary>
    /// MAML++ multi-step loss (Antoniou et al., 2019): for meta-iterations before this one the meta-objective is the
    /// weighted sum of the query losses after every inner step, with annealed weights (equal at first, the non-final steps' weights decaying towards
    /// <see cref="MultiStepLossFloor"/> / <see cref="Steps"/> while the final step's grows); from this iteration on only
    /// the final step is scored.
    /// </summary>
    /// <value>Default 0 (only the final step is scored from the start). Zero or more.</value>
    public int MultiStepLossIterations
    {
        get => _multiStepLossIterations;
        init => _multiStepLossIterations = OptionChecks.AtLeast(
            value, 0, nameof(MultiStepLossIterations), "Use 0 to score only the final step, or the number of meta-iterations to anneal over.");
    }

    /// <summary>
    /// The floor of each non-final step's multi-step loss weight, times <see cref="Steps"/> (the paper's 0.03: a
    /// non-final weight never drops below 0.03 / Steps while the multi-step loss is on).
    /// </summary>
    /// <value>Default 0.03. At least 0 and below 1.</value>
    public double MultiStepLossFloor
    {
        get => _multiStepLossFloor;
        init => _multiStepLossFloor = OptionChecks.Valid(value, value >= 0 && value < 1, nameof(MultiStepLossFloor), "The floor must be at least 0 and below 1 (the paper uses 0.03).");
    }

    /// <summary>The inner optimizer. <value>Default <see cref="InnerUpdateRule.Sgd"/>.</value></summary>
    public InnerUpdateRule UpdateRule { get; init; } = InnerUpdateRule.Sgd;

    /// <summary>The momentum μ of <see cref="InnerUpdateRule.Momentum"/>. <value>Default 0.9. In [0, 1).</value></summary>
    public double Momentum
    {
        get => _momentum;
        init => _momentum = InUnitInterval(value, nameof(Momentum));
    }

    /// <summary>β1 of <see cref="InnerUpdateRule.Adam"/>. <value>Default 0.9. In [0, 1).</value></summary>
    public double AdamBeta1
    {
        get => _adamBeta1;
        init => _adamBeta1 = InUnitInterval(value, nameof(AdamBeta1));
    }

    /// <summary>β2 of <see cref="InnerUpdateRule.Adam"/>. <value>Default 0.999. In [0, 1).</value></summary>
    public double AdamBeta2
    {
        get => _adamBeta2;
        init => _adamBeta2 = InUnitInterval(value, nameof(AdamBeta2));
    }

    /// <summary>ε of <see cref="InnerUpdateRule.Adam"/>. <value>Default 1e-8. Positive and finite.</value></summary>
    public double AdamEpsilon
    {
        get => _adamEpsilon;
        init => _adamEpsilon = OptionChecks.PositiveFinite(value, nameof(AdamEpsilon), "Adam's epsilon must be positive and finite (e.g. 1e-8).");
    }

    /// <summary>
    /// How many tasks of a meta-batch that runs per episode (<see cref="MetaAlgorithmOptions.TaskBatching"/> off, or a model that does not
    /// batch tasks, such as <c>Conv4</c> by default) are computed at once, each on a thread of its own. The libtorch
    /// intra-op threads (<c>torch.get_num_threads()</c>) are divided among them (at least one each), so with 2 threads
    /// and <c>ParallelTasks = 2</c> two tasks run side by side on one thread each instead of one task on two. Each
    /// task's meta-gradient is computed separately and they are added into the parameters' <c>grad</c> in task order,
    /// so the result does not depend on which thread finished first; it equals the one-at-a-time result up to the
    /// rounding of libtorch's kernels with a different intra-op thread count (tested: within 1e-5 of the largest element
    /// in float32 and 1e-12 in float64 on Conv4, and bit for bit when the intra-op thread count is the same).
    /// Needs a model built from layers (<c>Conv4</c>, <c>Mlp</c>, a converted module) whose training passes keep no state
    /// (no dropout, no batch-norm running statistics): the algorithm refuses others at construction. On 2 cores
    /// (Conv4, 5-way 1-shot, second order) 2 measured faster than one task at a time on 2 intra-op threads; see the
    /// benchmarks' README for the figures. Ignored when a meta-batch runs task-batched.
    /// </summary>
    /// <value>Default 1 (one task at a time, on the calling thread). At least 1.</value>
    public int ParallelTasks
    {
        get => _parallelTasks;
        init => _parallelTasks = OptionChecks.AtLeast(value, 1, nameof(ParallelTasks), "Use 1 to compute the tasks one at a time, or the number of tasks to compute at once.");
    }

    /// <summary>
    /// The loss of the inner loop and of the query set. The default takes it from each episode's declared
    /// <see cref="Tasks.TaskKind"/> (cross-entropy for classification, the mean squared error for regression, binary
    /// cross-entropy with logits for multi-label tasks); set it to choose explicitly, e.g.
    /// <c>Loss.CrossEntropy(labelSmoothing: 0.1)</c>, <c>Loss.Huber()</c>, <c>Loss.BinaryCrossEntropyWithLogits</c> or
    /// <see cref="Loss.Custom"/>.
    /// </summary>
    /// <value>Default <see cref="Loss.ByTaskKind"/>. Not null.</value>
    public Loss Loss
    {
        get => _loss;
        init => _loss = OptionChecks.NotNull(value, nameof(Loss));
    }

    private static double InUnitInterval(double value, string name) =>
        OptionChecks.Valid(value, value >= 0 && value < 1, name, $"{name} must be at least 0 and below 1.");
}
