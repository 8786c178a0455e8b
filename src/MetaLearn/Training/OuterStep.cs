using MetaLearn.Algorithms;
using Microsoft.Extensions.Logging;

namespace MetaLearn.Training;

/// <summary>
/// The outer optimizer's side of a meta-iteration: clearing the gradients, checking the meta-batch's loss and
/// meta-gradient for NaN or infinities (<see cref="MetaTrainerOptions.NonFiniteLoss"/>), clipping
/// (<see cref="MetaTrainerOptions.GradientClipNorm"/>), stepping the optimizer (or the algorithm's own outer step,
/// <see cref="Reptile.ApplyOuterUpdate"/>) and its learning-rate scheduler.
/// </summary>
internal sealed partial class OuterStep : IDisposable
{
    private readonly IMetaAlgorithm _algorithm;
    private readonly MetaTrainerOptions _options;
    private readonly ILogger _logger;
    private optim.lr_scheduler.LRScheduler? _scheduler;

    /// <summary>Creates the options' optimizer (or <see cref="SafeOptimizers.Adam"/>) over the algorithm's meta-parameters.</summary>
    public OuterStep(IMetaAlgorithm algorithm, MetaTrainerOptions options, ILogger logger)
    {
        _algorithm = algorithm;
        _options = options;
        _logger = logger;
        Optimizer = options.OptimizerFactory?.Invoke(algorithm.MetaParameters)
            ?? SafeOptimizers.Adam(algorithm.MetaParameters, lr: options.OuterLearningRate);
    }

    /// <summary>The outer optimizer (owned).</summary>
    public optim.Optimizer Optimizer { get; }

    /// <summary>Clears the meta-parameters' gradients.</summary>
    public void ZeroGrad()
    {
        // The optimizer reads every parameter's .grad, which makes a tensor wrapper each time; the scope frees them.
        using var scope = NewDisposeScope();
        Optimizer.zero_grad();
    }

    /// <summary>
    /// Creates the learning-rate scheduler at the first <see cref="MetaTrainer.Train"/> call, stepped once per
    /// meta-iteration already done (<paramref name="iterationsDone"/>, e.g. after a checkpoint was loaded), so it
    /// continues the schedule exactly where the saved run was.
    /// </summary>
    public void EnsureScheduler(int iterationsDone)
    {
        if (_scheduler is not null || _options.LearningRateScheduler is null)
        {
            return;
        }

        _scheduler = _options.LearningRateScheduler(Optimizer)
            ?? throw new InvalidOperationException("MetaTrainerOptions.LearningRateScheduler returned null; return a scheduler over the optimizer it is given.");
        for (int i = 0; i < iterationsDone; i++)
        {
            _scheduler.step();
        }
    }

    /// <summary>Steps the learning-rate scheduler, if any (once per meta-iteration, skipped ones included).</summary>
    public void StepScheduler() => _scheduler?.step();

    /// <summary>
    /// Clips and steps the optimizer when the loss and the meta-gradient are finite; otherwise throws or (under
    /// <see cref="NonFiniteLossPolicy.SkipBatch"/>) logs, clears the gradients and returns false.
    /// </summary>
    /// <exception cref="InvalidOperationException">Something is not finite under <see cref="NonFiniteLossPolicy.Throw"/>.</exception>
    public bool StepIfFinite(MetaBatchResult result, int iteration)
    {
        using var scope = NewDisposeScope();
        string? problem = double.IsFinite(result.MeanQueryLoss) ? null : $"the mean query loss is {result.MeanQueryLoss}";
        problem ??= NonFiniteGradient();
        if (problem is null && _options.GradientClipNorm is double maxNorm)
        {
            double norm = nn.utils.clip_grad_norm_(_algorithm.MetaParameters, maxNorm);
            problem = double.IsFinite(norm) ? null : $"the meta-gradient norm is {norm}";
        }

        if (problem is null)
        {
            // An algorithm with its own outer step (Reptile's interpolation) takes it in place of the optimizer.
            if (_algorithm is not EpisodicLearner learner || !learner.TryOwnOuterStep(iteration))
            {
                Optimizer.step();
            }

            return true;
        }

        if (_options.NonFiniteLoss == NonFiniteLossPolicy.Throw)
        {
            throw new InvalidOperationException(
                $"Meta-iteration {iteration}: {problem}. Lower the inner step size or the outer learning rate, set GradientClipNorm, " +
                "or set NonFiniteLoss = NonFiniteLossPolicy.SkipBatch to skip such meta-batches.");
        }

        LogSkipped(iteration, problem);
        Optimizer.zero_grad();
        return false;
    }

    /// <inheritdoc />
    public void Dispose() => Optimizer.Dispose();

    /// <summary>Names the first meta-parameter whose gradient holds a NaN or an infinity, or returns null.</summary>
    private string? NonFiniteGradient()
    {
        for (int i = 0; i < _algorithm.MetaParameters.Count; i++)
        {
            var grad = _algorithm.MetaParameters[i].grad;
            if (grad is not null && !grad.isfinite().all().item<bool>())
            {
                return $"the meta-gradient of meta-parameter {i} [{string.Join(", ", grad.shape)}] is not finite";
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Iteration {Iteration}: skipped the meta-batch because {Problem}")]
    private partial void LogSkipped(int iteration, string problem);
}
