
namespace MetaLearn.Distributed;

/// <summary>Options of <see cref="OrleansMetaBatchExecutor"/>, the coordinator's side of distributed meta-training.</summary>
public sealed record DistributedTrainingOptions
{
    private readonly TimeSpan _workerWaitTimeout = TimeSpan.FromSeconds(60);
    private readonly int _tasksInFlightPerWorker = 2;
    private readonly int? _maxWorkers;

    /// <summary>
    /// How long a meta-iteration waits for a worker when none is ready (none joined yet, or every one was lost or
    /// refused) before it fails with <see cref="InvalidOperationException"/>. <value>Default 60 seconds.</value>
    /// </summary>
    public TimeSpan WorkerWaitTimeout
    {
        get => _workerWaitTimeout;
        init => _workerWaitTimeout = OptionChecks.Valid(value, value > TimeSpan.Zero, nameof(WorkerWaitTimeout), "Wait a positive time for workers (e.g. 60 seconds).");
    }

    /// <summary>
    /// Tasks sent to a worker before it has answered the first; a worker computes one at a time, and the next one
    /// waiting keeps it busy while a result travels back. <value>Default 2.</value>
    /// </summary>
    public int TasksInFlightPerWorker
    {
        get => _tasksInFlightPerWorker;
        init => _tasksInFlightPerWorker = OptionChecks.AtLeast(value, 1, nameof(TasksInFlightPerWorker), "Send at least one task at a time to a worker.");
    }

    /// <summary>
    /// Most workers used at once (the first ready ones by silo address; another one takes a lost worker's place);
    /// null uses every worker silo of the cluster. <value>Default null.</value>
    /// </summary>
    public int? MaxWorkers
    {
        get => _maxWorkers;
        init => _maxWorkers = OptionChecks.Valid(value, value is null or >= 1, nameof(MaxWorkers), "Use at least one worker, or null for all of them.");
    }

    /// <summary>
    /// The model's architecture, which workers build it from, when it cannot be found from the model's type: a model
    /// converted from a TorchSharp module (<c>ModelArchitecture.Module(kind)</c>, registered in the coordinator and in
    /// every worker). Null describes the model by its registered type (<see cref="ModelArchitecture.Of"/>).
    /// </summary>
    /// <value>Default null.</value>
    public ModelArchitecture? Architecture { get; init; }
}
