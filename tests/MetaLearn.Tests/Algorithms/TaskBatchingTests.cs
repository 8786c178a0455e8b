using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Tasks;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

public sealed class TaskBatchingTests
{
    public static TheoryData<string, bool> Cases => new()
    {
        { "mlp", false },
        { "mlp", true },
        { "conv4", false },
        { "conv4", true },
        { "conv4-perstep", false },
        { "metasgd", false },
        { "anil", false },
        { "anil", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void AccumulateMetaGradient_BatchedAndPerTask_GiveTheSameLossesAndMetaGradients(string kind, bool firstOrder)
    {
        using var model = MakeModel(kind);
        var episodes = Enumerable.Range(0, 3).Select(i => MakeEpisode(kind, i)).ToArray();
        var inner = new InnerLoopOptions
        {
            Steps = 2,
            StepSize = kind.StartsWith("conv4", StringComparison.Ordinal) ? 0.1 : 0.3,
            FirstOrder = firstOrder,
            MultiStepLossIterations = kind == "conv4-perstep" ? 10 : 0,
            StepSizes = kind == "conv4-perstep" ? StepSizeMode.PerParameterPerStep : StepSizeMode.Fixed,
        };

        var (batched, batchedGrads) = Run(model, kind, inner, episodes);
        var (perTask, perTaskGrads) = Run(model, kind, inner with { TaskBatching = false }, episodes);

        batched.TaskBatched.Should().BeTrue();
        perTask.TaskBatched.Should().BeFalse();
        batched.MeanQueryLoss.Should().BeApproximately(perTask.MeanQueryLoss, 1e-9 * Math.Abs(perTask.MeanQueryLoss));
        batched.MeanQueryAccuracy.Should().Be(perTask.MeanQueryAccuracy);
        TestEpisodes.MaxRelativeError(batchedGrads, perTaskGrads).Should().BeLessThan(1e-6);
        foreach (var e in episodes)
        {
            e.Dispose();
        }
    }

    [Fact]
    public void AccumulateMetaGradient_EpisodesOfDifferentShapes_FallBackToThePerTaskLoop()
    {
        using var model = TestEpisodes.TinyRegressor();
        using var maml = new Maml(model);
        using var a = TestEpisodes.Sine(1, shots: 5);
        using var b = TestEpisodes.Sine(2, shots: 7);

        var result = maml.AccumulateMetaGradient(new[] { a, b }, 0);

        result.TaskBatched.Should().BeFalse();
        result.Tasks.Should().Be(2);
        double.IsFinite(result.MeanQueryLoss).Should().BeTrue();
    }

    private static (MetaBatchResult Result, double[] Grads) Run(IFunctionalModel model, string kind, InnerLoopOptions inner, Episode[] episodes)
    {
        using IMetaAlgorithm algorithm = kind switch
        {
            "metasgd" => Maml.MetaSgd(model, inner),
            "anil" => Maml.Anil(model, inner),
            _ => new Maml(model, inner),
        };
        TestEpisodes.ZeroGrads(algorithm.MetaParameters);
        var result = algorithm.AccumulateMetaGradient(episodes, 0);
        return (result, TestEpisodes.Grads(algorithm.MetaParameters));
    }

    private static IFunctionalModel MakeModel(string kind) => kind switch
    {
        "conv4" => new Conv4(new Conv4Options { Ways = 3, Channels = 4, ImageSize = 12, Blocks = 2, Seed = 2, TaskBatching = true, DType = ScalarType.Float64 }),
        "conv4-perstep" => new Conv4(new Conv4Options { Ways = 3, Channels = 4, ImageSize = 12, Blocks = 2, BatchNormSets = 3, Seed = 2, TaskBatching = true, DType = ScalarType.Float64 }),
        _ => TestEpisodes.TinyClassifier(),
    };

    private static Episode MakeEpisode(string kind, int seed)
    {
        if (!kind.StartsWith("conv4", StringComparison.Ordinal))
        {
            return TestEpisodes.Gaussian(seed);
        }

        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)(seed + 100));
        return new Episode(
            rand(new long[] { 6, 1, 12, 12 }, generator: generator),
            tensor(new long[] { 0, 0, 1, 1, 2, 2 }),
            rand(new long[] { 9, 1, 12, 12 }, generator: generator),
            tensor(new long[] { 0, 0, 0, 1, 1, 1, 2, 2, 2 }),
            new EpisodeInfo(3, 2, 3, seed));
    }
}
