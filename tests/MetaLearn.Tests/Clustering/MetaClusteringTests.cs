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

        int[] labels = MetaClustering.Cluster(null, episode.QueryInput, clusters: 4, seed: 1);

        var truth = episode.QueryTargets.data<long>().Select(v => (int)v).ToArray();
        labels.Should().HaveCount(truth.Length);
        labels.Distinct().Should().HaveCount(4);
        ClusteringScores.AdjustedRandIndex(truth, labels).Should().BeGreaterThan(0.95, "with almost no noise the clusters are plain blobs");
    }

    [Fact]
    public void Cluster_RawInputs_IsKMeansWithScikitLearnDefaultsAndTheGivenSeed()
    {
        // Loud noise makes the starts disagree, so the restarts, iterations and seed all show in the labels.
        var tasks = new ProjectedClusterTaskSampler(new ProjectedClusterTaskOptions { Ways = 5, Dimensions = 4 });
        using var episode = tasks.Sample(7);
        var x = episode.QueryInput.to(torch.ScalarType.Float64).data<double>().ToArray();
        var rows = Enumerable.Range(0, (int)episode.QueryInput.shape[0]).Select(i => x.AsSpan(i * 4, 4).ToArray()).ToArray();

        int[] labels = MetaClustering.Cluster(null, episode.QueryInput, clusters: 5, seed: 3);
        int[] inputs = MetaClustering.Cluster(null, new[] { episode.QueryInput }, clusters: 5, seed: 3);

        var expected = KMeans.Fit(rows, new KMeansOptions { Clusters = 5, Seed = 3 });
        new KMeansOptions().Should().Match<KMeansOptions>(o => o.Restarts == 10 && o.MaxIterations == 300 && o.Tolerance == 1e-4);
        labels.Should().Equal(expected.Labels);
        inputs.Should().Equal(expected.Labels);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Cluster_FewerThanOneCluster_ThrowsArgumentOutOfRangeNamingClusters(int clusters)
    {
        using var points = torch.zeros(6, 2);

        var single = () => MetaClustering.Cluster(null, points, clusters, seed: 0);
        var several = () => MetaClustering.Cluster(null, new[] { points }, clusters, seed: 0);

        single.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("clusters");
        several.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("clusters");
    }

    [Fact]
    public void Cluster_MoreClustersThanPoints_ThrowsNamingClustersAndBothCounts()
    {
        using var points = torch.zeros(3, 2);

        var act = () => MetaClustering.Cluster(null, points, clusters: 4, seed: 0);

        act.Should().Throw<ArgumentException>().WithMessage("3 point(s) cannot form 4 clusters*").Which.ParamName.Should().Be("clusters");
    }

    [Fact]
    public void Cluster_NoInputs_ThrowsNamingInputs()
    {
        var act = () => MetaClustering.Cluster(null, Array.Empty<torch.Tensor>(), clusters: 1, seed: 0);

        act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("inputs");
    }

    [Fact]
    public void Evaluate_PlainBlobTasks_ClustersEachIntoItsWaysAndScoresThemNearPerfect()
    {
        var tasks = new ProjectedClusterTaskSampler(new ProjectedClusterTaskOptions { Ways = 4, NoiseStd = 0.01, Dimensions = 3, MinCenterDistance = 8, CenterBox = 20 });

        var result = MetaClustering.Evaluate(null, tasks, 3, seed: 5);

        result.Tasks.Should().Be(3);
        result.MeanAdjustedRandIndex.Should().BeGreaterThan(0.95, "k = the 4 ways recovers the 4 blobs; another k would not");
        result.MeanNormalizedMutualInformation.Should().BeGreaterThan(0.95);
    }
}
