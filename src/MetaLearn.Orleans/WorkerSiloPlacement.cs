using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace MetaLearn.Distributed;

/// <summary>Places a grain on the silo whose address is its key (<see cref="SiloAddress.ToParsableString"/>), and nowhere else.</summary>
[GenerateSerializer]
[Immutable]
internal sealed class WorkerSiloPlacementStrategy : PlacementStrategy
{
}

/// <summary>Marks a grain class for <see cref="WorkerSiloPlacementStrategy"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class WorkerSiloPlacementAttribute : PlacementAttribute
{
    public WorkerSiloPlacementAttribute()
        : base(new WorkerSiloPlacementStrategy())
    {
    }
}

/// <summary>
/// Chooses the silo named by the grain's key; when that silo is not an active silo that hosts workers, placement fails
/// (the coordinator then gives the worker's tasks to others) instead of putting a second worker on another silo.
/// </summary>
internal sealed class WorkerSiloPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        string key = target.GrainIdentity.Key.ToString()!;
        var silo = SiloAddress.FromParsableString(key);
        return context.GetCompatibleSilos(target).Contains(silo)
            ? Task.FromResult(silo)
            : throw new OrleansException($"The worker silo {key} is not an active silo with a MetaLearn worker.");
    }
}
