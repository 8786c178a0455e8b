using MetaLearn.Algorithms;
using MetaLearn.Clustering;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;
using Xunit.Abstractions;

namespace MetaLearn.Tests.Clustering;

public sealed class MetaClusteringTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Slow")]
    public void Evaluate_MetaLearnedEmbedding_BeatsKMeansOnRawInputs()
    {
        // Clusters are separable only in a task-independent 2-D projection; the other 8 directions are loud noise.
        var tasks = new ProjectedClusterTaskSampler(new ProjectedClusterTaskOptions { StructureSeed = 5 });
        using var embedding = new Mlp(MlpOptions.WithLayers(10, 32, 8) with { Seed = 1 });
        using var protoNets = new PrototypicalNetworks(embedding);
        using var trainer = new MetaTrainer(protoNets, new MetaTrainerOptions { Iterations = 150, MetaBatchSize = 8, OuterLearningRate = 0.01, Seed = 3 });

        trainer.Train(tasks);
        var raw = MetaClustering.Evaluate(null, tasks, 30, seed: 99);
        var learned = MetaClustering.Evaluate(embedding, tasks, 30, seed: 99);
        output.WriteLine($"raw: {raw}; meta-learned embedding: {learned}");

        raw.MeanAdjustedRandIndex.Should().BeLessThan(0.3);
        learned.MeanAdjustedRandIndex.Should().BeGreaterThan(0.8);
        learned.MeanNormalizedMutualInformation.Should().BeGreaterThan(raw.MeanNormalizedMutualInformation + 0.4);
    }

    [Fact]
    public void Cluster_RawInputs_UsesTheRequestedNumberOfClusters()
    {
        var tasks = new ProjectedClusterTaskSampler(new ProjectedClusterTaskOptions { Ways = 4, NoiseStd = 0.01, Dimensions = 3, MinCenterDistance = 8, CenterBox = 20 });
        using var episode = tasks.Sample(2);

        var result = MetaClustering.Cluster(null, episode.QueryInput, new KMeansOptions { Clusters = 4, Seed = 1 });

        var truth = episode.QueryTargets.data<long>().Select(v => (int)v).ToArray();
        result.Labels.Distinct().Should().HaveCount(4);
        ClusteringScores.AdjustedRandIndex(truth, result.Labels).Should().BeGreaterThan(0.95, "with almost no noise the clusters are plain blobs");
    }
}
