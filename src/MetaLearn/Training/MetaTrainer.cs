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
/// <remarks>
/// The loop is here; its collaborators are the outer step (<c>OuterStep</c>: non-finite checks, clipping, optimizer and
/// scheduler), validation and the best state (<c>BestValidation</c>), and checkpointing (<c>MetaTrainer.Checkpoint.cs</c>
/// with <c>TrainerCheckpoint</c> and <c>EpisodeStreamCheck</c>).
/// Ownership: the trainer does not own the algorithm (nor its model), which its creator disposes; it owns the outer
/// optimizer it builds (also one <see cref="MetaTrainerOptions.OptimizerFactory"/> returns) and the best state it
/// keeps, and frees them when disposed.
/// </remarks>
public sealed partial class MetaTrainer : IDisposable
{
    private readonly OuterStep _outer;
    private readonly BestValidation _best;
    private readonly EpisodeStreamCheck _streams;

    /// <summary>Creates a trainer for <paramref name="algorithm"/> (not owned).</summary>
    public MetaTrainer(IMetaAlgorithm algorithm, MetaTrainerOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        Algorithm = algorithm;
        Options = options ?? new MetaTrainerOptions();
        logger ??= NullLogger.Instance;
        _outer = new OuterStep(algorithm, Options, logger);
        _best = new BestValidation(algorithm, Options, logger);
        _streams = new EpisodeStreamCheck(Options, EpisodeSeed(0, 0));
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

    /// <summary>Runs <see cref="MetaTrainerOptions.Iterations"/> meta-iterations.</summary>
    /// <param name="sampler">Training tasks.</param>
    /// <param name="validation">Validation tasks (used when <see cref="MetaTrainerOptions.ValidationInterval"/> &gt; 0).</param>
    /// <param name="progress">
    /// Receives a report on the training thread after every <see cref="MetaTrainerOptions.ProgressInterval"/>-th
    /// meta-iteration and the last one (after its validation and checkpoint), before the next starts; null reports
    /// nothing. <see cref="TrainingProgress.Synchronous"/> runs a handler at once; the framework's
    /// <see cref="Progress{T}"/> posts each report elsewhere (a UI thread, or the thread pool).
    /// </param>
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
        _streams.Begin(sampler);
        _outer.EnsureScheduler(Iteration);
        StartCheckpointClock();
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
                var result = AccumulateMetaGradient(sampler, prefetcher, i, cancellationToken);
                if (_outer.StepIfFinite(result, i))
                {
                    losses.Add(result.MeanQueryLoss);
                    accuracies.Add(result.MeanQueryAccuracy);
                }
                else
                {
                    skipped++;
                }

                _outer.StepScheduler();
                Iteration = i + 1;
                times.Add(clock.Elapsed.TotalMilliseconds);
                if (Options.ValidationInterval > 0 && (Iteration % Options.ValidationInterval == 0 || Iteration == end))
                {
                    (lastValidation, bool improved) = _best.Validate(validation!, Iteration);
                    if (improved)
                    {
                        bestValidation = lastValidation;
                        bestIteration = Iteration;
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

        if (Options.RestoreBestParameters)
        {
            _best.Restore();
        }

        var timed = times.Count > 1 ? times.Skip(1) : times;
        return new TrainingResult(Iteration, losses, accuracies, bestValidation, bestIteration, skipped, timed.Median());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _outer.Dispose();
        _best.Dispose();
    }

    /// <summary>
    /// Clears the gradients and has the algorithm (or <see cref="MetaTrainerOptions.MetaBatchExecutor"/>) accumulate
    /// meta-iteration <paramref name="iteration"/>'s meta-gradient.
    /// </summary>
    private MetaBatchResult AccumulateMetaGradient(ITaskSampler sampler, EpisodePrefetcher? prefetcher, int iteration, CancellationToken cancellationToken)
    {
        if (Options.MetaBatchExecutor is { } executor)
        {
            _outer.ZeroGrad();
            return executor.AccumulateMetaGradient(Algorithm, sampler, iteration, EpisodeSeeds(iteration), cancellationToken);
        }

        using var batch = prefetcher?.Next(cancellationToken) ?? Draw(sampler, iteration);
        _outer.ZeroGrad();
        return batch.AccumulateMetaGradient(Algorithm, iteration);
    }

    /// <summary>
    /// Draws meta-iteration <paramref name="iteration"/>'s episodes: stacked in one go when the sampler can, the
    /// algorithm is an <see cref="EpisodicLearner"/> (whose task-batched path takes a stacked batch) and the model runs
    /// task-batched; one by one otherwise, which is what an algorithm written outside MetaLearn gets. The same seeds
    /// either way.
    /// </summary>
    private DrawnBatch Draw(ITaskSampler sampler, int iteration)
    {
        if (sampler is IBatchTaskSampler batchSampler && Algorithm is EpisodicLearner && Algorithm.Model.SupportsTaskBatching)
        {
            return new DrawnBatch(batchSampler.SampleBatch(EpisodeSeeds(iteration)));
        }

        return new DrawnBatch(MetaBatch(sampler, iteration));
    }

    private int[] EpisodeSeeds(int iteration) => Enumerable.Range(0, Options.MetaBatchSize).Select(j => EpisodeSeed(iteration, j)).ToArray();

    private int EpisodeSeed(int iteration, int index) => Seeds.Derive(Options.Seed, 0, ((long)iteration * Options.MetaBatchSize) + index);
}
