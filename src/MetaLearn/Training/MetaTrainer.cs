using System.Diagnostics;
using MathNet.Numerics.Statistics;
using MetaLearn.Algorithms;
using MetaLearn.Evaluation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MetaLearn.Sampling;

namespace MetaLearn.Training;

/// <summary>
/// The outer loop: draws meta-batches, has the algorithm accumulate the meta-gradient, clips it, steps the outer
/// optimizer, validates periodically and keeps the best meta-parameters. Training is reproducible: the episodes of
/// iteration i are drawn from seeds derived from (<see cref="MetaTrainerOptions.Seed"/>, i), so the same seed gives the
/// same losses, and a later <see cref="Train"/> call continues where the previous one stopped.
/// </summary>
public sealed partial class MetaTrainer : IDisposable
{
    private readonly ILogger _logger;
    private readonly optim.Optimizer _optimizer;
    private optim.lr_scheduler.LRScheduler? _scheduler;
    private Tensor[]? _best;
    private Tensor[]? _bestBuffers;
    private long _lastCheckpoint;
    private double _bestScore = double.NegativeInfinity;

    /// <summary>Creates a trainer for <paramref name="algorithm"/> (not owned).</summary>
    public MetaTrainer(IMetaAlgorithm algorithm, MetaTrainerOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        Algorithm = algorithm;
        Options = options ?? new MetaTrainerOptions();
        _logger = logger ?? NullLogger.Instance;
        _optimizer = Options.OptimizerFactory?.Invoke(algorithm.MetaParameters)
            ?? new SafeAdam(algorithm.MetaParameters, lr: Options.OuterLearningRate);
    }

    /// <summary>The algorithm being meta-trained.</summary>
    public IMetaAlgorithm Algorithm { get; }

    /// <summary>The options.</summary>
    public MetaTrainerOptions Options { get; }

    /// <summary>Meta-iterations done so far.</summary>
    public int Iteration { get; private set; }

    /// <summary>The episodes of meta-iteration <paramref name="iteration"/>; the caller owns them.</summary>
    public Episode[] MetaBatch(ITaskSampler sampler, int iteration)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        var batch = new Episode[Options.MetaBatchSize];
        for (int j = 0; j < batch.Length; j++)
        {
            batch[j] = sampler.Sample(EpisodeSeed(iteration, j));
        }

        return batch;
    }

    /// <summary>
    /// Draws meta-iteration <paramref name="iteration"/>'s episodes: stacked in one go when the sampler can and the
    /// model runs task-batched, one by one otherwise; the same seeds either way.
    /// </summary>
    private DrawnBatch Draw(ITaskSampler sampler, int iteration)
    {
        if (sampler is IBatchTaskSampler batchSampler && Algorithm.Model.SupportsTaskBatching)
        {
            return new DrawnBatch(batchSampler.SampleBatch(EpisodeSeeds(iteration)));
        }

        return new DrawnBatch(MetaBatch(sampler, iteration));
    }

    private int[] EpisodeSeeds(int iteration) => Enumerable.Range(0, Options.MetaBatchSize).Select(j => EpisodeSeed(iteration, j)).ToArray();

    private int EpisodeSeed(int iteration, int index) => Seeds.Derive(Options.Seed, 0, ((long)iteration * Options.MetaBatchSize) + index);

    /// <summary>Runs <see cref="MetaTrainerOptions.Iterations"/> meta-iterations.</summary>
    /// <param name="sampler">Training tasks.</param>
    /// <param name="validation">Validation tasks (used when <see cref="MetaTrainerOptions.ValidationInterval"/> &gt; 0).</param>
    /// <param name="progress">Receives a report every <see cref="MetaTrainerOptions.ProgressInterval"/> iterations.</param>
    /// <param name="cancellationToken">
    /// Stops between meta-iterations with <see cref="OperationCanceledException"/> (a validation in progress finishes
    /// first, so the state is always that after a whole meta-iteration); with <see cref="CheckpointOptions.SaveOnCancel"/>
    /// that state is saved first.
    /// </param>
    /// <exception cref="InvalidOperationException">A loss or gradient is not finite under <see cref="NonFiniteLossPolicy.Throw"/>.</exception>
    public TrainingResult Train(ITaskSampler sampler, ITaskSampler? validation = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        if (Options.ValidationInterval > 0 && validation is null)
        {
            throw new ArgumentException("ValidationInterval is set but no validation sampler was given; pass one or set ValidationInterval = 0.", nameof(validation));
        }

        int start = Iteration;
        int end = start + Options.Iterations;
        var losses = new List<double>();
        var accuracies = new List<double>();
        var times = new List<double>();
        int skipped = 0;
        int bestIteration = -1;
        EvaluationResult? bestValidation = null;
        EvaluationResult? lastValidation = null;
        BeginStream(sampler);
        EnsureScheduler();
        _lastCheckpoint = Options.Checkpoint?.Clock.GetTimestamp() ?? 0;
        using var prefetcher = Options.PrefetchBatches > 0 && Options.MetaBatchExecutor is null
            ? new EpisodePrefetcher(i => Draw(sampler, i), start, end, Options.PrefetchBatches, cancellationToken)
            : null;
        var clock = new Stopwatch();
        try
        {
            for (int i = start; i < end; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                clock.Restart();
                MetaBatchResult result;
                if (Options.MetaBatchExecutor is { } executor)
                {
                    ZeroGrad();
                    result = executor.AccumulateMetaGradient(Algorithm, sampler, i, EpisodeSeeds(i), cancellationToken);
                }
                else
                {
                    using var batch = prefetcher?.Next(cancellationToken) ?? Draw(sampler, i);
                    ZeroGrad();
                    result = batch.AccumulateMetaGradient(Algorithm, i);
                }

                if (StepIfFinite(result, i))
                {
                    losses.Add(result.MeanQueryLoss);
                    accuracies.Add(result.MeanQueryAccuracy);
                }
                else
                {
                    skipped++;
                }

                _scheduler?.step();
                Iteration = i + 1;
                times.Add(clock.Elapsed.TotalMilliseconds);
                if (Options.ValidationInterval > 0 && (Iteration % Options.ValidationInterval == 0 || Iteration == end))
                {
                    lastValidation = Evaluator.Evaluate(Algorithm, validation!, Options.ValidationEpisodes, Seeds.Derive(Options.Seed, 1, 0), CancellationToken.None);
                    LogValidation(Iteration, lastValidation.MeanLoss, lastValidation.MeanAccuracy);
                    double score = double.IsNaN(lastValidation.MeanAccuracy) ? -lastValidation.MeanLoss : lastValidation.MeanAccuracy;
                    if (score > _bestScore)
                    {
                        _bestScore = score;
                        bestValidation = lastValidation;
                        bestIteration = Iteration;
                        KeepBest();
                    }
                }

                SaveCheckpointIfDue(end);

                if (progress is not null && Options.ProgressInterval > 0 && (Iteration % Options.ProgressInterval == 0 || Iteration == end))
                {
                    progress.Report(new TrainingProgress(Iteration, end, result.MeanQueryLoss, result.MeanQueryAccuracy, lastValidation?.MeanLoss, lastValidation?.MeanAccuracy));
                }
            }
        }
        catch (OperationCanceledException) when (Options.Checkpoint is { SaveOnCancel: true } checkpoint)
        {
            // Every cancellation point lies between whole meta-iterations, so this is the state after the last one.
            SaveCheckpoint(checkpoint.Path);
            throw;
        }

        if (Options.RestoreBestParameters && _best is not null)
        {
            RestoreBest();
        }

        var timed = times.Count > 1 ? times.Skip(1) : times;
        return new TrainingResult(Iteration, losses, accuracies, bestValidation, bestIteration, skipped, timed.Median());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _optimizer.Dispose();
        DisposeBest();
    }

    /// <summary>Saves a checkpoint when <see cref="MetaTrainerOptions.Checkpoint"/> says one is due after this meta-iteration.</summary>
    private void SaveCheckpointIfDue(int end)
    {
        if (Options.Checkpoint is not { } checkpoint)
        {
            return;
        }

        bool due = Iteration == end
            || (checkpoint.IterationInterval > 0 && Iteration % checkpoint.IterationInterval == 0)
            || (checkpoint.Interval is { } interval && checkpoint.Clock.GetElapsedTime(_lastCheckpoint) >= interval);
        if (due)
        {
            SaveCheckpoint(checkpoint.Path);
            _lastCheckpoint = checkpoint.Clock.GetTimestamp();
        }
    }

    private void ZeroGrad()
    {
        // The optimizer reads every parameter's .grad, which makes a tensor wrapper each time; the scope frees them.
        using var scope = NewDisposeScope();
        _optimizer.zero_grad();
    }

    /// <summary>
    /// Creates the learning-rate scheduler at the first <see cref="Train"/> call. After <see cref="LoadCheckpoint"/> it
    /// is stepped once per meta-iteration already done, so it continues the schedule exactly where the saved run was.
    /// </summary>
    private void EnsureScheduler()
    {
        if (_scheduler is not null || Options.LearningRateScheduler is null)
        {
            return;
        }

        _scheduler = Options.LearningRateScheduler(_optimizer)
            ?? throw new InvalidOperationException("MetaTrainerOptions.LearningRateScheduler returned null; return a scheduler over the optimizer it is given.");
        for (int i = 0; i < Iteration; i++)
        {
            _scheduler.step();
        }
    }

    private bool StepIfFinite(MetaBatchResult result, int iteration)
    {
        using var scope = NewDisposeScope();
        string? problem = double.IsFinite(result.MeanQueryLoss) ? null : $"the mean query loss is {result.MeanQueryLoss}";
        problem ??= NonFiniteGradient();
        if (problem is null && Options.GradientClipNorm is double maxNorm)
        {
            double norm = nn.utils.clip_grad_norm_(Algorithm.MetaParameters, maxNorm);
            problem = double.IsFinite(norm) ? null : $"the meta-gradient norm is {norm}";
        }

        if (problem is null)
        {
            _optimizer.step();
            return true;
        }

        if (Options.NonFiniteLoss == NonFiniteLossPolicy.Throw)
        {
            throw new InvalidOperationException(
                $"Meta-iteration {iteration}: {problem}. Lower the inner step size or the outer learning rate, set GradientClipNorm, " +
                "or set NonFiniteLoss = NonFiniteLossPolicy.SkipBatch to skip such meta-batches.");
        }

        LogSkipped(iteration, problem);
        _optimizer.zero_grad();
        return false;
    }

    /// <summary>Names the first meta-parameter whose gradient holds a NaN or an infinity, or returns null.</summary>
    private string? NonFiniteGradient()
    {
        for (int i = 0; i < Algorithm.MetaParameters.Count; i++)
        {
            var grad = Algorithm.MetaParameters[i].grad;
            if (grad is not null && !grad.isfinite().all().item<bool>())
            {
                return $"the meta-gradient of meta-parameter {i} {ShapeText(grad.shape)} is not finite";
            }
        }

        return null;
    }

    private static string ShapeText(long[] shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>Copies the meta-parameters and the model's buffers (running statistics), which predictions read too.</summary>
    private void KeepBest()
    {
        DisposeBest();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        _best = Algorithm.MetaParameters.Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
        _bestBuffers = Algorithm.Model.Buffers.Select(b => b.detach().clone().DetachFromDisposeScope()).ToArray();
    }

    private void RestoreBest()
    {
        using var noGrad = no_grad();
        for (int i = 0; i < _best!.Length; i++)
        {
            Algorithm.MetaParameters[i].copy_(_best[i]);
        }

        var buffers = Algorithm.Model.Buffers;
        for (int i = 0; i < _bestBuffers!.Length; i++)
        {
            buffers[i].copy_(_bestBuffers[i]);
        }
    }

    private void DisposeBest()
    {
        foreach (var t in (_best ?? Array.Empty<Tensor>()).Concat(_bestBuffers ?? Array.Empty<Tensor>()))
        {
            t.Dispose();
        }

        _best = null;
        _bestBuffers = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Iteration {Iteration}: validation loss {Loss:F4}, accuracy {Accuracy:P2}")]
    private partial void LogValidation(int iteration, double loss, double accuracy);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Iteration {Iteration}: skipped the meta-batch because {Problem}")]
    private partial void LogSkipped(int iteration, string problem);
}
