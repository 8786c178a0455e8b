namespace MetaLearn.Distributed;

/// <summary>What an <see cref="OrleansMetaBatchExecutor"/> has done so far.</summary>
/// <param name="Iterations">Meta-iterations computed.</param>
/// <param name="TasksComputed">Task results used (one per task and meta-iteration).</param>
/// <param name="TasksReassigned">Tasks given to another worker after their worker was lost (its silo stopped or a call failed).</param>
/// <param name="BytesSent">Payload bytes sent to workers: definitions, meta-parameters and task requests (Orleans' framing not counted).</param>
/// <param name="BytesReceived">Payload bytes received from workers: the tasks' meta-gradients and results.</param>
/// <param name="WorkerComputeMilliseconds">Time the workers spent computing tasks (drawing the episode included), summed.</param>
/// <param name="IterationMilliseconds">Wall time of the meta-iterations at the coordinator, summed.</param>
/// <param name="TasksByWorker">Tasks computed per worker (its silo address).</param>
/// <param name="RefusedWorkers">Workers refused, with the reason (different model, algorithm settings, sampler or version).</param>
/// <param name="LostWorkers">Workers lost, with the error.</param>
public sealed record DistributedTrainingStatistics(
    int Iterations,
    int TasksComputed,
    int TasksReassigned,
    long BytesSent,
    long BytesReceived,
    double WorkerComputeMilliseconds,
    double IterationMilliseconds,
    IReadOnlyDictionary<string, int> TasksByWorker,
    IReadOnlyDictionary<string, string> RefusedWorkers,
    IReadOnlyDictionary<string, string> LostWorkers);
