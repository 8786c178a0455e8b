using MetaLearn.Algorithms;
using static TorchSharp.torch;
using MetaLearn.Models;

namespace MetaLearn.Tests.Algorithms;

public sealed class PrototypicalNetworksTests
{
    [Fact]
    public void Logits_EqualMinusSquaredDistancesToClassMeans()
    {
        using var scope = NewDisposeScope();
        var support = tensor(new double[] { 0, 0, 2, 0, 10, 10, 10, 14 }, new long[] { 4, 2 });
        var labels = tensor(new long[] { 0, 0, 1, 1 });
        var query = tensor(new double[] { 1, 1, 10, 11 }, new long[] { 2, 2 });

        var logits = PrototypicalNetworks.Logits(support, labels, query, 2);

        // Prototypes (1, 0) and (10, 12). Query (1, 1): 1 and 81 + 121; query (10, 11): 81 + 121 and 1.
        TestEpisodes.Flatten(new[] { logits }).Should().Equal(-1, -202, -202, -1);
    }

    [Fact]
    public void AccumulateMetaGradient_BatchedAndPerTask_GiveTheSameLossAndGradient()
    {
        using var model = new Mlp(new MlpOptions { LayerSizes = new[] { 4, 16, 8 }, Seed = 3, DType = ScalarType.Float64 });
        var episodes = Enumerable.Range(0, 3).Select(i => TestEpisodes.Gaussian(i)).ToArray();
        using var batched = new PrototypicalNetworks(model, taskBatching: true);
        using var perTask = new PrototypicalNetworks(model, taskBatching: false);

        var a = batched.AccumulateMetaGradient(episodes, 0);
        double[] ga = TestEpisodes.Grads(model.Parameters);
        TestEpisodes.ZeroGrads(model.Parameters);
        var b = perTask.AccumulateMetaGradient(episodes, 0);
        double[] gb = TestEpisodes.Grads(model.Parameters);

        a.TaskBatched.Should().BeTrue();
        b.TaskBatched.Should().BeFalse();
        a.MeanQueryLoss.Should().BeApproximately(b.MeanQueryLoss, 1e-12);
        a.MeanQueryAccuracy.Should().Be(b.MeanQueryAccuracy);
        TestEpisodes.MaxRelativeError(ga, gb).Should().BeLessThan(1e-10);
        foreach (var e in episodes)
        {
            e.Dispose();
        }
    }

    [Theory]
    [InlineData(BatchNormStatistics.Support)]
    [InlineData(BatchNormStatistics.Transductive)]
    public void AccumulateMetaGradient_EmbedsSupportAndQueryApart_ScoringWhatTheAdaptedModelPredicts(BatchNormStatistics statistics)
    {
        using var model = new Conv4(new Conv4Options { Ways = 0, Channels = 3, ImageSize = 8, Blocks = 2, Seed = 2, BatchNormStatistics = statistics, DType = ScalarType.Float64 });
        using var episode = ImageEpisode(seed: 4, supportLabels: new long[] { 0, 1, 2, 0, 1, 2 });
        using var protonet = new PrototypicalNetworks(model, taskBatching: false);

        var result = protonet.AccumulateMetaGradient(new[] { episode }, 0);

        double deployed;
        double eachOverItsOwnRows;
        using (var scope = NewDisposeScope())
        {
            using var adapted = protonet.Adapt(episode.SupportInput, episode.SupportTargets);
            deployed = nn.functional.cross_entropy(adapted.Predict(episode.QueryInput), episode.QueryTargets).ToDouble();
            var apart = PrototypicalNetworks.Logits(model.Forward(episode.SupportInput), episode.SupportTargets, model.Forward(episode.QueryInput), 3);
            eachOverItsOwnRows = nn.functional.cross_entropy(apart, episode.QueryTargets).ToDouble();
        }

        result.MeanQueryLoss.Should().BeApproximately(deployed, 1e-12, "meta-training optimises what the adapted model computes");
        if (statistics == BatchNormStatistics.Transductive)
        {
            deployed.Should().BeApproximately(eachOverItsOwnRows, 1e-12, "support and query are each normalised over their own rows");
        }
        else
        {
            Math.Abs(deployed - eachOverItsOwnRows).Should().BeGreaterThan(1e-6, "the query is normalised with the support set's statistics, not its own");
        }
    }

    [Fact]
    public void AccumulateMetaGradient_ClassWithoutSupportExample_ThrowsNamingIt()
    {
        using var model = new Mlp(new MlpOptions { LayerSizes = new[] { 4, 8 }, DType = ScalarType.Float64 });
        using var protonet = new PrototypicalNetworks(model, taskBatching: false);
        using var episode = new MetaLearn.Tasks.Episode(
            randn(4, 4, dtype: ScalarType.Float64), tensor(new long[] { 0, 0, 2, 2 }),
            randn(3, 4, dtype: ScalarType.Float64), tensor(new long[] { 0, 1, 2 }),
            new MetaLearn.Tasks.EpisodeInfo(3, 2, 1, 0));

        var act = () => protonet.AccumulateMetaGradient(new[] { episode }, 0);
        var logits = () => PrototypicalNetworks.Logits(randn(4, 2), tensor(new long[] { 1, 1, 2, 2 }), randn(2, 2), 3);

        act.Should().Throw<ArgumentException>().WithMessage("Class 1 has no support example*");
        logits.Should().Throw<ArgumentException>().WithMessage("Class 0 has no support example*");
        model.Parameters.Should().OnlyContain(p => ReferenceEquals(p.grad, null), "no meta-gradient was accumulated");
    }

    [Fact]
    public void AccumulateMetaGradient_Gradient_MatchesCentralFiniteDifferences()
    {
        using var model = new Mlp(new MlpOptions { LayerSizes = new[] { 4, 6, 3 }, Seed = 5, DType = ScalarType.Float64 });
        using var episode = TestEpisodes.Gaussian(9);
        using var protonet = new PrototypicalNetworks(model, taskBatching: false);
        protonet.AccumulateMetaGradient(new[] { episode }, 0);
        double[] analytic = TestEpisodes.Grads(model.Parameters);

        double[] numeric = FiniteDifferences.Central(model.Parameters, () => MetaLearn.Evaluation.Evaluator.Score(protonet, episode).Loss);

        TestEpisodes.MaxRelativeError(analytic, numeric).Should().BeLessThan(1e-6);
    }

    private static MetaLearn.Tasks.Episode ImageEpisode(int seed, long[] supportLabels)
    {
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        return new MetaLearn.Tasks.Episode(
            randn(new long[] { supportLabels.Length, 1, 8, 8 }, dtype: ScalarType.Float64, generator: generator), tensor(supportLabels),
            randn(new long[] { 4, 1, 8, 8 }, dtype: ScalarType.Float64, generator: generator), tensor(new long[] { 0, 1, 2, 1 }),
            new MetaLearn.Tasks.EpisodeInfo(3, 2, 1, seed));
    }
}
