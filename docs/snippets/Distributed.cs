using MetaLearn.Algorithms;
using MetaLearn.Distributed;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Snippets;

/// <summary>The distributed-training page: a worker silo and a coordinator (compiled, not run: they need a cluster).</summary>
internal static class Distributed
{
    public static void Worker(ITaskSampler tasks)
    {
        // <worker>
        // A worker silo: draws its tasks from this sampler (the coordinator's, with the same options and data).
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering();
            silo.AddMetaLearnWorker(new MetaWorkerOptions { Samplers = [tasks] });
        });
        using var host = builder.Build();
        host.Run();
        // </worker>
    }

    public static void Coordinator(ITaskSampler tasks)
    {
        // <coordinator>
        // The coordinator: an Orleans client and an ordinary MetaTrainer whose meta-batches the workers compute.
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client => client.UseLocalhostClustering());
        using var host = builder.Build();
        host.Start();
        var executor = new OrleansMetaBatchExecutor(host.Services.GetRequiredService<IClusterClient>());

        using var model = new Conv4(new Conv4Options { Ways = 5, Seed = 0 });
        using var maml = new Maml(model, new InnerLoopOptions { Steps = 1, StepSize = 0.4 });
        using var trainer = new MetaTrainer(maml, new MetaTrainerOptions
        {
            Iterations = 10,
            MetaBatchSize = 8,
            Seed = 0,
            MetaBatchExecutor = executor,
        });
        trainer.Train(tasks);
        // </coordinator>
    }
}
