using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaLearn.Distributed;

/// <summary>
/// The coordinator's side of meta-training across machines: set it as <see cref="MetaTrainerOptions.MetaBatchExecutor"/>
/// and the trainer's meta-batches are computed by the worker silos of an Orleans cluster
/// (<see cref="WorkerSiloBuilderExtensions.AddMetaLearnWorker"/>). Each meta-iteration it sends the meta-parameters to
/// every worker, hands out the tasks' episode seeds, and adds the returned per-task shares of the meta-gradient in task
/// order; the trainer then steps its optimizer as usual (and writes its checkpoints). The result equals a single-process
/// training that runs the meta-batch per episode (<c>TaskBatching = false</c>) with the same libtorch thread count,
/// however many workers helped or were lost, because each share is computed from the same meta-parameters and episode
/// and the sum does not depend on who computed what or when it arrived. Workers join between meta-iterations; a worker
/// whose silo stops has its tasks computed by others; a worker whose versions, model, algorithm settings or sampler
/// differ is refused (logged, and listed in <see cref="Statistics"/>), never summed in.
/// </summary>
/// <remarks>
/// Call it from a client or a plain thread, never from inside a grain: it waits for the workers' answers. Only
/// algorithms whose meta-gradient is a sum of per-task terms over a model that keeps no state from task to task are
/// accepted (MetaLearn's algorithms; no batch-norm running statistics, no dropout).
/// </remarks>
public sealed partial class OrleansMetaBatchExecutor : IMetaBatchExecutor
{
    private readonly IGrainFactory _grains;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Worker> _workers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _tasksByWorker = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _refused = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _lost = new(StringComparer.Ordinal);
    private IMetaAlgorithm? _algorithm;
    private ITaskSampler? _sampler;
    private TrainingDefinition? _definition;
    private int _iterations;
    private int _tasksComputed;
    private int _tasksReassigned;
    private long _bytesSent;
    private long _bytesReceived;
    private double _computeMilliseconds;
    private double _iterationMilliseconds;

    /// <summary>Creates a coordinator that sends work to the cluster's worker silos through <paramref name="grains"/>.</summary>
    /// <param name="grains">The cluster client (or a silo's grain factory).</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <param name="logger">Receives workers joining, refused and lost.</param>
    public OrleansMetaBatchExecutor(IGrainFactory grains, DistributedTrainingOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        _grains = grains;
        Options = options ?? new DistributedTrainingOptions();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The options.</summary>
    public DistributedTrainingOptions Options { get; }

    /// <summary>What the coordinator has done so far.</summary>
    public DistributedTrainingStatistics Statistics
    {
        get
        {
            lock (_workers)
            {
                return new DistributedTrainingStatistics(
                    _iterations, _tasksComputed, _tasksReassigned, _bytesSent, _bytesReceived, _computeMilliseconds, _iterationMilliseconds,
                    new Dictionary<string, int>(_tasksByWorker), new Dictionary<string, string>(_refused), new Dictionary<string, string>(_lost));
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">The algorithm or model does not decompose by task, or cannot be described for workers.</exception>
    /// <exception cref="InvalidOperationException">No worker became ready within <see cref="DistributedTrainingOptions.WorkerWaitTimeout"/>.</exception>
    public MetaBatchResult AccumulateMetaGradient(IMetaAlgorithm algorithm, ITaskSampler sampler, int iteration, IReadOnlyList<int> episodeSeeds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(episodeSeeds);
        if (episodeSeeds.Count == 0)
        {
            throw new ArgumentException("A meta-batch needs at least one episode.", nameof(episodeSeeds));
        }

        var definition = Begin(algorithm, sampler, episodeSeeds.Count);
        var clock = Stopwatch.StartNew();
        var result = Task.Run(() => RunAsync(definition, (EpisodicLearner)algorithm, iteration, episodeSeeds, cancellationToken), cancellationToken).GetAwaiter().GetResult();
        lock (_workers)
        {
            _iterations++;
            _iterationMilliseconds += clock.Elapsed.TotalMilliseconds;
        }

        return result;
    }

    /// <summary>The run's definition; a new run (and every worker prepared again) when the algorithm, sampler or meta-batch size changed.</summary>
    private TrainingDefinition Begin(IMetaAlgorithm algorithm, ITaskSampler sampler, int metaBatchSize)
    {
        if (_definition is { } current && ReferenceEquals(algorithm, _algorithm) && ReferenceEquals(sampler, _sampler) && current.MetaBatchSize == metaBatchSize)
        {
            return current;
        }

        _definition = TrainingDefinition.Of(algorithm, sampler, metaBatchSize, Options.Architecture);
        _algorithm = algorithm;
        _sampler = sampler;
        lock (_workers)
        {
            foreach (var worker in _workers.Values)
            {
                worker.Prepared = false;
            }
        }

        return _definition;
    }

    private async Task<MetaBatchResult> RunAsync(TrainingDefinition definition, EpisodicLearner learner, int iteration, IReadOnlyList<int> seeds, CancellationToken cancellationToken)
    {
        byte[] parameters = TensorBytes.Join(learner.MetaParameters);
        using var shares = new OrderedShares(learner.MetaParameters, seeds.Count);
        var pending = new Queue<int>(Enumerable.Range(0, seeds.Count));
        var deadline = Stopwatch.StartNew();
        while (!shares.Complete)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var ready = await ReadyWorkersAsync(definition, iteration, parameters, cancellationToken);
            if (ready.Count == 0)
            {
                if (deadline.Elapsed > Options.WorkerWaitTimeout)
                {
                    throw new InvalidOperationException(NoWorkerMessage());
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
                continue;
            }

            // Every worker's first loop starts before any worker's second, so the first tasks go one to each worker.
            var loops = Enumerable.Range(0, Options.TasksInFlightPerWorker)
                .SelectMany(_ => ready.Select(w => WorkAsync(w, definition, iteration, seeds, pending, shares, cancellationToken)))
                .ToArray();
            await Task.WhenAll(loops);
            deadline.Restart();
        }

        cancellationToken.ThrowIfCancellationRequested();
        return shares.AddToGradients();
    }

    /// <summary>One of a worker's task loops: takes tasks until none is left or the worker is lost (its task goes back).</summary>
    private async Task WorkAsync(Worker worker, TrainingDefinition definition, int iteration, IReadOnlyList<int> seeds, Queue<int> pending, OrderedShares shares, CancellationToken cancellationToken)
    {
        while (!worker.Lost && !cancellationToken.IsCancellationRequested)
        {
            int task;
            lock (pending)
            {
                if (!pending.TryDequeue(out task))
                {
                    return;
                }
            }

            try
            {
                var request = new TaskRequest { Run = definition.Run, Iteration = iteration, Task = task, Seed = seeds[task] };
                Count(sent: 32);
                var result = await worker.Grain.Compute(request);
                if (result.Stale is not null)
                {
                    // The worker lost its meta-parameters (e.g. it was reactivated): prepare and load it again next round.
                    LogStale(worker.Name, result.Stale);
                    worker.Prepared = false;
                    worker.LoadedIteration = null;
                    Requeue(pending, task, reassigned: false);
                    return;
                }

                Accept(worker, definition, iteration, result, shares);
            }
            catch (Exception ex) when (ex is not NotSupportedException and not OperationCanceledException)
            {
                Lose(worker, ex);
                Requeue(pending, task, reassigned: true);
                return;
            }
        }
    }

    private void Accept(Worker worker, TrainingDefinition definition, int iteration, TaskResult result, OrderedShares shares)
    {
        if (result.Request.Run != definition.Run || result.Request.Iteration != iteration)
        {
            throw new InvalidOperationException($"Worker {worker.Name} answered for meta-iteration {result.Request.Iteration} of run {result.Request.Run} while meta-iteration {iteration} of run {definition.Run} was asked.");
        }

        if (result.DrewRandomNumbers)
        {
            throw new NotSupportedException(
                "The model draws random numbers while training (dropout), so each task's share would depend on which worker computed it and in what order; " +
                "train it in one process, or remove dropout.");
        }

        if (shares.Add(result))
        {
            lock (_workers)
            {
                _tasksComputed++;
                _bytesReceived += result.Gradient.Length + (result.HasGradient.Length + 40);
                _computeMilliseconds += result.ComputeMilliseconds;
                _tasksByWorker[worker.Name] = _tasksByWorker.GetValueOrDefault(worker.Name) + 1;
            }
        }
    }

    private void Requeue(Queue<int> pending, int task, bool reassigned)
    {
        lock (pending)
        {
            pending.Enqueue(task);
        }

        if (reassigned)
        {
            lock (_workers)
            {
                _tasksReassigned++;
            }
        }
    }

    private void Count(long sent)
    {
        lock (_workers)
        {
            _bytesSent += sent;
        }
    }

    private void Lose(Worker worker, Exception error)
    {
        worker.Lost = true;
        lock (_workers)
        {
            _lost[worker.Name] = error.Message;
        }

        LogLost(worker.Name, error.Message);
    }

    private string NoWorkerMessage()
    {
        lock (_workers)
        {
            var reasons = _refused.Select(r => $"{r.Key} refused: {r.Value}").Concat(_lost.Select(l => $"{l.Key} lost: {l.Value}")).ToArray();
            return $"No MetaLearn worker was ready within {Options.WorkerWaitTimeout.TotalSeconds:0.#} s (DistributedTrainingOptions.WorkerWaitTimeout). " +
                (reasons.Length == 0
                    ? "No worker silo joined the cluster: start workers (a silo with AddMetaLearnWorker) in the same cluster."
                    : string.Join("; ", reasons));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {Worker} joined")]
    private partial void LogJoined(string worker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {Worker} refused: {Reason}")]
    private partial void LogRefused(string worker, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {Worker} lost ({Error}); its tasks go to the other workers")]
    private partial void LogLost(string worker, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {Worker} held other meta-parameters ({Reason}); loading them again")]
    private partial void LogStale(string worker, string reason);
}
