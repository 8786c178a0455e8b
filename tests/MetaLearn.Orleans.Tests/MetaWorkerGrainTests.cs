namespace MetaLearn.Distributed.Tests;

/// <summary>A worker asked directly, as a coordinator whose model, versions or meta-parameters differ from the worker's would ask it.</summary>
[Collection(WorkerCluster.Collection)]
public sealed class MetaWorkerGrainTests(WorkerCluster cluster)
{
    [Fact]
    public async Task Prepare_CoordinatorModelOfOtherShapes_RefusedNamingTheParameter()
    {
        var definition = Definition();
        var other = definition with { Run = Guid.NewGuid(), Parameters = definition.Parameters.Select((p, i) => i == 1 ? "Float32 [32]" : p).ToArray() };

        var reply = await Worker().Prepare(other);

        reply.Refusal.Should().Contain("the model differs").And.Contain("meta-parameter 1 is Float32 [16] here and Float32 [32] at the coordinator");
    }

    [Fact]
    public async Task Prepare_OtherVersions_Refused()
    {
        var other = Definition() with { Run = Guid.NewGuid(), Versions = "MetaLearn 0.0.1, MetaLearn.Orleans 0.0.1, protocol 0" };

        var reply = await Worker().Prepare(other);

        reply.Refusal.Should().StartWith("other versions").And.Contain("0.0.1");
    }

    [Fact]
    public async Task Prepare_AlgorithmSettingThisWorkerDoesNotKnow_Refused()
    {
        // A coordinator on a newer MetaLearn with an inner-loop option this worker's MetaLearn would silently ignore.
        var definition = Definition();
        var other = definition with { Run = Guid.NewGuid(), Algorithm = definition.Algorithm.Replace("\"steps\":2", "\"steps\":2,\"lookahead\":3", StringComparison.Ordinal) };

        var reply = await Worker().Prepare(other);

        reply.Refusal.Should().Contain("holds settings this MetaLearn does not know (algorithm.options.lookahead)");
    }

    [Fact]
    public async Task Compute_MetaParametersOfAnotherIteration_StaleNothingComputed()
    {
        var definition = Definition();
        var worker = Worker();
        (await worker.Prepare(definition)).Refusal.Should().BeNull();
        var (model, learner) = Workloads.Create("maml");
        using (model)
        using (learner)
        {
            (await worker.Load(definition.Run, 3, TensorBytes.Join(learner.MetaParameters))).Refusal.Should().BeNull();
        }

        var stale = await worker.Compute(new TaskRequest { Run = definition.Run, Iteration = 4, Task = 0, Seed = 5 });
        var current = await worker.Compute(new TaskRequest { Run = definition.Run, Iteration = 3, Task = 0, Seed = 5 });

        stale.Stale.Should().Be("the worker holds those of meta-iteration 3, not those of meta-iteration 4");
        stale.Gradient.Should().BeEmpty();
        current.Stale.Should().BeNull();
        current.Gradient.Should().NotBeEmpty();
    }

    private IMetaWorkerGrain Worker() => cluster.Client.GetGrain<IMetaWorkerGrain>(cluster.Cluster.Silos[0].SiloAddress.ToParsableString());

    private static TrainingDefinition Definition()
    {
        var (model, learner) = Workloads.Create("maml");
        using (model)
        using (learner)
        {
            return TrainingDefinition.Of(learner, Workloads.Sampler(), Workloads.MetaBatchSize);
        }
    }
}
