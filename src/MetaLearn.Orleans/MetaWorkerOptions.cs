
namespace MetaLearn.Distributed;

/// <summary>
/// What a worker silo (<see cref="WorkerSiloBuilderExtensions.AddMetaLearnWorker"/>) brings to distributed meta-training:
/// the task samplers it can draw episodes from. A coordinator's training uses the one whose type, options and episodes
/// equal the coordinator's sampler; the model and algorithm come from the coordinator's definition.
/// </summary>
public sealed record MetaWorkerOptions
{
    private readonly IReadOnlyList<ITaskSampler> _samplers = Array.Empty<ITaskSampler>();

    /// <summary>
    /// The samplers (not owned; they must live as long as the silo). A worker draws a task's episode from its seed, so
    /// the data set behind a sampler must be the coordinator's (same files): a sampler that draws other episodes from the
    /// same seed is refused.
    /// </summary>
    /// <value>Required, at least one.</value>
    public required IReadOnlyList<ITaskSampler> Samplers
    {
        get => _samplers;
        init => _samplers = value is { Count: > 0 } && value.All(s => s is not null)
            ? value.ToArray()
            : throw new ArgumentException("Give the worker at least one task sampler (and no null entries): the one the coordinator trains on.", nameof(Samplers));
    }
}
