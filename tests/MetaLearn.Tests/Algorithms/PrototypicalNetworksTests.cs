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
}
