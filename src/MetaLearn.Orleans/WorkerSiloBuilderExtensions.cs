using Microsoft.Extensions.DependencyInjection;

namespace MetaLearn.Distributed;

/// <summary>Makes an Orleans silo a MetaLearn worker.</summary>
public static class WorkerSiloBuilderExtensions
{
    /// <summary>
    /// Hosts a MetaLearn worker in this silo: coordinators (<see cref="OrleansMetaBatchExecutor"/>) in the cluster send it
    /// a training's definition and tasks' seeds, and it computes the tasks' shares of the meta-gradient with a model and
    /// algorithm built from the definition, one task at a time, with libtorch's thread count as the process set it
    /// (<c>torch.set_num_threads</c>). Model kinds that are not built in must be registered in this process
    /// (<c>ModelArchitectures.Register</c> / <c>RegisterModule</c>) as in the coordinator's.
    /// </summary>
    /// <param name="builder">The silo.</param>
    /// <param name="options">The samplers the worker can draw episodes from.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddMetaLearnWorker(this ISiloBuilder builder, MetaWorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.Services.AddSingleton(options);
        builder.AddPlacementDirector<WorkerSiloPlacementStrategy, WorkerSiloPlacementDirector>();
        return builder;
    }
}
