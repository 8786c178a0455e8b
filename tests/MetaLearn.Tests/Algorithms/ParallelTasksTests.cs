using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Tasks;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

/// <summary>
/// <see cref="InnerLoopOptions.ParallelTasks"/>: tasks of a per-episode meta-batch computed at once on several threads,
/// their meta-gradients added in task order.
/// </summary>
public sealed class ParallelTasksTests
{
    [Theory]
    [InlineData(BatchNormStatistics.Transductive)]
    [InlineData(BatchNormStatistics.Support)]
    public void AccumulateMetaGradient_Conv4Float64_EqualsOneTaskAtATime(BatchNormStatistics statistics)
    {
        var episodes = Episodes(count: 5, ways: 3, size: 8, queries: 3, ScalarType.Float64, seed: 7);
        try
        {
            var one = MetaGradient(SmallConv4(statistics, ScalarType.Float64), 1, episodes);
            foreach (int parallel in new[] { 2, 3, 8 })
            {
                var many = MetaGradient(SmallConv4(statistics, ScalarType.Float64), parallel, episodes);
                many.Loss.Should().BeApproximately(one.Loss, 1e-12);
                many.Accuracy.Should().BeApproximately(one.Accuracy, 1e-12);
                TestEpisodes.MaxRelativeError(many.Grad, one.Grad).Should().BeLessThan(1e-12, $"{parallel} tasks at once");
            }
        }
        finally
        {
            DisposeAll(episodes);
        }
    }

    /// <summary>
    /// The benchmark's network in float32: the meta-gradient with 2 tasks at once is within 1e-5 (relative to its largest
    /// element) of one task at a time, which runs libtorch's kernels with the caller's intra-op thread count instead of
    /// each worker's share; and the same call gives the same bits every time, whichever thread finishes first.
    /// </summary>
    [Fact]
    public void AccumulateMetaGradient_Conv4Float32_WithinFloatToleranceAndDeterministic()
    {
        var episodes = Episodes(count: 6, ways: 5, size: 28, queries: 3, ScalarType.Float32, seed: 11);
        try
        {
            Func<Conv4> create = () => new Conv4(new Conv4Options { Ways = 5, Channels = 16, BatchNormStatistics = BatchNormStatistics.Transductive, Seed = 2 });
            var one = MetaGradient(create(), 1, episodes);
            var first = MetaGradient(create(), 2, episodes);
            var second = MetaGradient(create(), 2, episodes);
            var third = MetaGradient(create(), 3, episodes);

            TestEpisodes.MaxRelativeError(first.Grad, one.Grad).Should().BeLessThan(1e-5);
            first.Loss.Should().BeApproximately(one.Loss, 1e-5);
            second.Grad.Should().Equal(first.Grad);
            second.Loss.Should().Be(first.Loss);
            TestEpisodes.MaxRelativeError(third.Grad, one.Grad).Should().BeLessThan(1e-5);
        }
        finally
        {
            DisposeAll(episodes);
        }
    }

    [Fact]
    public void AccumulateMetaGradient_MetaSgdAndAnil_EqualOneTaskAtATime()
    {
        var episodes = Episodes(count: 4, ways: 3, size: 8, queries: 3, ScalarType.Float64, seed: 5);
        try
        {
            foreach (var make in new Func<IFunctionalModel, int, Maml>[]
            {
                (m, p) => Maml.MetaSgd(m, new InnerLoopOptions { Steps = 2, StepSize = 0.1, TaskBatching = false, StepSizes = StepSizeMode.PerElement, ParallelTasks = p }),
                (m, p) => Maml.Anil(m, new InnerLoopOptions { Steps = 2, StepSize = 0.1, TaskBatching = false, ParallelTasks = p }),
            })
            {
                double[] one = MetaParameterGradient(make, 1, episodes);
                double[] two = MetaParameterGradient(make, 2, episodes);
                one.Should().Contain(g => g != 0);
                TestEpisodes.MaxRelativeError(two, one).Should().BeLessThan(1e-12);
            }
        }
        finally
        {
            DisposeAll(episodes);
        }
    }

    [Fact]
    public void AccumulateMetaGradient_ATaskThrows_RethrowsItsExceptionAndAddsNothingAfterIt()
    {
        var episodes = Episodes(count: 4, ways: 3, size: 8, queries: 3, ScalarType.Float64, seed: 9);
        using var bad = new Episode(
            episodes[2].SupportInputs[0].clone(), episodes[2].SupportTargets.clone(),
            rand(9, 1, 10, 10, dtype: ScalarType.Float64), episodes[2].QueryTargets.clone(), episodes[2].Info);
        var batch = new[] { episodes[0], episodes[1], bad, episodes[3] };
        try
        {
            using var model = SmallConv4(BatchNormStatistics.Transductive, ScalarType.Float64);
            using var maml = new Maml(model, new InnerLoopOptions { Steps = 2, StepSize = 0.1, TaskBatching = false, ParallelTasks = 2 });

            var act = () => maml.AccumulateMetaGradient(batch, 0);

            act.Should().Throw<ArgumentException>().WithMessage("Conv4 expects images of shape*");
            // The first two tasks' shares of a 4-task meta-batch: half the mean gradient of those two as a meta-batch.
            var twoTasks = MetaGradient(SmallConv4(BatchNormStatistics.Transductive, ScalarType.Float64), 1, new[] { episodes[0], episodes[1] });
            double[] expected = twoTasks.Grad.Select(g => g / 2).ToArray();
            TestEpisodes.MaxRelativeError(TestEpisodes.Grads(model.Parameters), expected).Should().BeLessThan(1e-12, "the tasks before the failing one were added, none after it");
        }
        finally
        {
            DisposeAll(episodes);
        }
    }

    [Fact]
    public void Constructor_ModelThatKeepsStateAcrossTasks_Throws()
    {
        using var running = new Conv4(new Conv4Options { BatchNormStatistics = BatchNormStatistics.Running });
        using var module = nn.Sequential(("fc", nn.Linear(4, 8)), ("drop", nn.Dropout(0.2)), ("head", nn.Linear(8, 3)));
        using var dropout = FunctionalModel.FromModule(module);
        var parallel = new InnerLoopOptions { TaskBatching = false, ParallelTasks = 2 };

        foreach (var model in new IFunctionalModel[] { running, dropout })
        {
            var act = () => new Maml(model, parallel);
            act.Should().Throw<ArgumentException>().WithMessage("*ParallelTasks = 2*no dropout, no batch-norm running statistics*Set ParallelTasks = 1*");
        }

        using var ok = new Maml(running, parallel with { ParallelTasks = 1 });
        ok.Options.ParallelTasks.Should().Be(1);
    }

    internal static Conv4 SmallConv4(BatchNormStatistics statistics, ScalarType dtype) =>
        new(new Conv4Options { Ways = 3, Channels = 4, ImageSize = 8, Blocks = 2, BatchNormStatistics = statistics, Seed = 3, DType = dtype });

    /// <summary>Classification episodes of random images (shots 1 and 2 alternating, so shapes differ).</summary>
    internal static Episode[] Episodes(int count, int ways, int size, int queries, ScalarType dtype, int seed)
    {
        using var generator = new Generator((ulong)seed);
        var result = new Episode[count];
        for (int i = 0; i < count; i++)
        {
            int shots = 1 + (i % 2);
            var support = rand(new long[] { ways * shots, 1, size, size }, dtype: dtype, generator: generator);
            var query = rand(new long[] { ways * queries, 1, size, size }, dtype: dtype, generator: generator);
            result[i] = new Episode(
                support, arange(ways).repeat_interleave(shots),
                query, arange(ways).repeat_interleave(queries),
                new EpisodeInfo(ways, shots, queries, seed + i));
        }

        return result;
    }

    internal static void DisposeAll(IEnumerable<Episode> episodes)
    {
        foreach (var e in episodes)
        {
            e.Dispose();
        }
    }

    /// <summary>Meta-trains one meta-batch with MAML (second order, 2 inner steps) on <paramref name="model"/>, which it disposes.</summary>
    internal static (double Loss, double Accuracy, double[] Grad) MetaGradient(Conv4 model, int parallelTasks, IReadOnlyList<Episode> episodes)
    {
        using var owned = model;
        using var maml = new Maml(model, new InnerLoopOptions { Steps = 2, StepSize = 0.1, TaskBatching = false, ParallelTasks = parallelTasks });
        var result = maml.AccumulateMetaGradient(episodes, 0);
        return (result.MeanQueryLoss, result.MeanQueryAccuracy, TestEpisodes.Grads(model.Parameters));
    }

    private static double[] MetaParameterGradient(Func<IFunctionalModel, int, Maml> make, int parallelTasks, IReadOnlyList<Episode> episodes)
    {
        using var model = SmallConv4(BatchNormStatistics.Transductive, ScalarType.Float64);
        using var algorithm = make(model, parallelTasks);
        algorithm.AccumulateMetaGradient(episodes, 0);
        return TestEpisodes.Grads(algorithm.MetaParameters);
    }
}
