using Orleans.Configuration;
using Orleans.TestingHost;

namespace MetaLearn.Distributed.Tests;

/// <summary>
/// An Orleans cluster of worker silos in the test process (one per test class: starting one takes seconds), each silo
/// with its own sampler instance, as separate worker processes would have; the cluster client is the coordinator.
/// </summary>
public class WorkerCluster : IAsyncLifetime
{
    /// <summary>The test collection that shares one three-silo cluster.</summary>
    public const string Collection = "three worker silos";

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    protected virtual short Silos => 3;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(Silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureClient(client => client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(8)));
        builder.ConfigureSilo((options, silo) => silo.AddMetaLearnWorker(WorkerOptions(options.SiloName)));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>The worker options of the silo named <paramref name="silo"/>.</summary>
    protected virtual MetaWorkerOptions WorkerOptions(string silo) => new() { Samplers = new[] { Workloads.Sampler() } };
}

[CollectionDefinition(WorkerCluster.Collection)]
public sealed class WorkerClusterCollection : ICollectionFixture<WorkerCluster>
{
}
