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

    [Fact]
    public void AccumulateMetaGradient_EmbedsSupportAndQueryInOneForwardPass_SharingBatchStatistics()
    {
        using var model = new Conv4(new Conv4Options { Ways = 0, Channels = 3, ImageSize = 8, Blocks = 2, Seed = 2, DType = ScalarType.Float64 });
        using var episode = ImageEpisode(seed: 4, supportLabels: new long[] { 0, 1, 2, 0, 1, 2 });
        using var protonet = new PrototypicalNetworks(model, taskBatching: false);

        var result = protonet.AccumulateMetaGradient(new[] { episode }, 0);

        double together;
        double separate;
        using (var scope = NewDisposeScope())
        {
            var all = model.Forward(cat(new[] { episode.SupportInput, episode.QueryInput }, 0));
            var logits = PrototypicalNetworks.Logits(all.narrow(0, 0, 6), episode.SupportTargets, all.narrow(0, 6, 4), 3);
            together = nn.functional.cross_entropy(logits, episode.QueryTargets).ToDouble();
            var apart = PrototypicalNetworks.Logits(model.Forward(episode.SupportInput), episode.SupportTargets, model.Forward(episode.QueryInput), 3);
            separate = nn.functional.cross_entropy(apart, episode.QueryTargets).ToDouble();
        }

        result.MeanQueryLoss.Should().BeApproximately(together, 1e-12);
        Math.Abs(together - separate).Should().BeGreaterThan(1e-6, "batch norm over support and query together differs from two separate passes");
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
