namespace MetaLearn.Algorithms;

/// <summary>Options of the inner loop shared by the gradient-based algorithms (MAML, Meta-SGD, ANIL).</summary>
public sealed record InnerLoopOptions
{
    private readonly int _steps = 1;
    private readonly double _stepSize = 0.01;
    private readonly int _firstOrderIterations;
    private readonly IReadOnlyList<double>? _multiStepLossWeights;
    private readonly Loss _loss = Loss.ByTargetType;

    /// <summary>Gradient steps on the support set. <value>Default 1. At least 1.</value></summary>
    public int Steps
    {
        get => _steps;
        init => _steps = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Steps), value, "The inner loop needs at least one step.");
    }

    /// <summary>The step size (the initial value when step sizes are learned). <value>Default 0.01. Positive and finite.</value></summary>
    public double StepSize
    {
        get => _stepSize;
        init => _stepSize = value > 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(StepSize), value, "The inner step size must be positive and finite (e.g. 0.01).");
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
        init => _firstOrderIterations = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(FirstOrderIterations), value, "Must be zero or more.");
    }

    /// <summary>
    /// MAML++ multi-step loss: the weight of the query loss after each inner step (length <see cref="Steps"/>);
    /// null scores only the final step.
    /// </summary>
    /// <value>Default null. Non-negative, finite, not all zero.</value>
    public IReadOnlyList<double>? MultiStepLossWeights
    {
        get => _multiStepLossWeights;
        init
        {
            if (value is not null && (value.Any(w => w < 0 || !double.IsFinite(w)) || value.All(w => w == 0)))
            {
                throw new ArgumentOutOfRangeException(nameof(MultiStepLossWeights), "Multi-step loss weights must be non-negative, finite and not all zero.");
            }

            _multiStepLossWeights = value?.ToArray();
        }
    }

    /// <summary>
    /// Whether episodes of equal shapes run as one task-batched computation (a leading task dimension on inputs
    /// and fast weights). Results equal the per-task loop's up to rounding.
    /// </summary>
    /// <value>Default true.</value>
    public bool TaskBatching { get; init; } = true;

    /// <summary>
    /// The loss of the inner loop and of the query set. The default picks by the targets' type: cross-entropy for
    /// class labels (int64), the mean squared error otherwise; set it to choose explicitly, e.g.
    /// <c>Loss.CrossEntropy(labelSmoothing: 0.1)</c>, <c>Loss.Huber()</c>, <c>Loss.BinaryCrossEntropyWithLogits</c> or
    /// <see cref="Loss.Custom"/>.
    /// </summary>
    /// <value>Default <see cref="Loss.ByTargetType"/>. Not null.</value>
    public Loss Loss
    {
        get => _loss;
        init => _loss = value ?? throw new ArgumentNullException(nameof(Loss), "Give a loss, e.g. Loss.CrossEntropy() or Loss.MeanSquaredError.");
    }

    /// <summary>Checks the options against each other; called by the algorithms.</summary>
    /// <exception cref="ArgumentException">The multi-step weights do not have one weight per step.</exception>
    public void Validate()
    {
        if (MultiStepLossWeights is not null && MultiStepLossWeights.Count != Steps)
        {
            throw new ArgumentException(
                $"MultiStepLossWeights has {MultiStepLossWeights.Count} weights but Steps is {Steps}; give one weight per inner step.");
        }
    }
}
