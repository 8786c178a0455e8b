namespace MetaLearn.Distributed;

/// <summary>
/// The worker of one silo (its key is the silo's address; <see cref="WorkerSiloPlacementAttribute"/> activates it there).
/// A coordinator prepares it with a training's definition, loads each meta-iteration's meta-parameters into it, and
/// asks it for tasks' shares of the meta-gradient.
/// </summary>
internal interface IMetaWorkerGrain : IGrainWithStringKey
{
    /// <summary>Builds the definition's model and algorithm and finds its sampler, or says why this worker cannot.</summary>
    Task<WorkerReply> Prepare(TrainingDefinition definition);

    /// <summary>Loads the meta-parameters of meta-iteration <paramref name="iteration"/> of run <paramref name="run"/>.</summary>
    /// <returns>A refusal when the worker is not prepared for <paramref name="run"/> (e.g. it was reactivated).</returns>
    Task<WorkerReply> Load(Guid run, int iteration, byte[] parameters);

    /// <summary>Computes one task's share of the meta-gradient with the meta-parameters loaded last.</summary>
    Task<TaskResult> Compute(TaskRequest request);
}

/// <summary>A worker's answer to <see cref="IMetaWorkerGrain.Prepare"/> or <see cref="IMetaWorkerGrain.Load"/>.</summary>
[GenerateSerializer]
[Immutable]
internal sealed class WorkerReply
{
    /// <summary>Why the worker cannot take part, or null when it is ready.</summary>
    [Id(0)]
    public string? Refusal { get; init; }

    /// <summary>The worker's silo, for messages.</summary>
    [Id(1)]
    public string Worker { get; init; } = string.Empty;
}

/// <summary>One task to compute.</summary>
[GenerateSerializer]
[Immutable]
internal sealed class TaskRequest
{
    /// <summary>The training run.</summary>
    [Id(0)]
    public Guid Run { get; init; }

    /// <summary>The meta-iteration, which is also the version of the meta-parameters the task needs.</summary>
    [Id(1)]
    public int Iteration { get; init; }

    /// <summary>The task's index in the meta-batch.</summary>
    [Id(2)]
    public int Task { get; init; }

    /// <summary>The task's episode seed.</summary>
    [Id(3)]
    public int Seed { get; init; }
}

/// <summary>One task's share of the meta-gradient, or a refusal when the worker holds other meta-parameters.</summary>
[GenerateSerializer]
[Immutable]
internal sealed class TaskResult
{
    /// <summary>The request answered: its run and meta-iteration are those of the meta-parameters used.</summary>
    [Id(0)]
    public TaskRequest Request { get; init; } = new();

    /// <summary>Why nothing was computed (stale or missing meta-parameters), or null.</summary>
    [Id(1)]
    public string? Stale { get; init; }

    /// <summary>The task's query loss.</summary>
    [Id(2)]
    public double Loss { get; init; }

    /// <summary>The task's query accuracy (NaN for regression).</summary>
    [Id(3)]
    public double Accuracy { get; init; }

    /// <summary>Which meta-parameters received a gradient.</summary>
    [Id(4)]
    public bool[] HasGradient { get; init; } = Array.Empty<bool>();

    /// <summary>The gradients of the meta-parameters that have one, in order, as raw bytes.</summary>
    [Id(5)]
    public byte[] Gradient { get; init; } = Array.Empty<byte>();

    /// <summary>Milliseconds the worker spent on the task, drawing its episode included.</summary>
    [Id(6)]
    public double ComputeMilliseconds { get; init; }

    /// <summary>Whether the model drew random numbers (dropout), which would make shares depend on where they ran.</summary>
    [Id(7)]
    public bool DrewRandomNumbers { get; init; }
}
