using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Tasks;
using MetaLearn.Training;

namespace MetaLearn.Tests.Tasks;

public sealed class EpisodeBatchTests
{
    [Fact]
    public void SinusoidSampleBatch_EqualsStackedSingleEpisodes()
    {
        var sampler = new SinusoidTaskSampler();
        int[] seeds = { 4, 9, 1 };
        var episodes = seeds.Select(sampler.Sample).ToArray();

        using var direct = sampler.SampleBatch(seeds);
        using var stacked = EpisodeBatch.Stack(episodes);

        direct.Count.Should().Be(3);
        direct.Infos.Select(i => i.Seed).Should().Equal(seeds);
        direct.Stacked.SupportInput.shape.Should().Equal(3, 10, 1);
        foreach (var (a, b) in new[] { (direct.Stacked.SupportInput, stacked.Stacked.SupportInput), (direct.Stacked.SupportTargets, stacked.Stacked.SupportTargets), (direct.Stacked.QueryInput, stacked.Stacked.QueryInput), (direct.Stacked.QueryTargets, stacked.Stacked.QueryTargets) })
        {
            TestEpisodes.Flatten(new[] { a }).Should().Equal(TestEpisodes.Flatten(new[] { b }));
        }

        var unstacked = direct.Unstack();
        TestEpisodes.Flatten(new[] { unstacked[1].QueryTargets }).Should().Equal(TestEpisodes.Flatten(new[] { episodes[1].QueryTargets }));
        foreach (var e in episodes.Concat(unstacked))
        {
            e.Dispose();
        }
    }

    [Fact]
    public void Stack_EpisodesOfDifferentShapes_Throws()
    {
        using var a = TestEpisodes.Sine(1, shots: 3);
        using var b = TestEpisodes.Sine(2, shots: 4);

        var act = () => EpisodeBatch.Stack(new[] { a, b });

        act.Should().Throw<ArgumentException>().WithMessage("*equal shapes*");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AccumulateMetaGradient_StackedBatch_EqualsTheEpisodeList(bool taskBatching)
    {
        using var model = TestEpisodes.TinyRegressor();
        using var maml = new Maml(model, new InnerLoopOptions { Steps = 2, TaskBatching = taskBatching });
        var episodes = Enumerable.Range(0, 4).Select(i => TestEpisodes.Sine(i)).ToArray();
        using var batch = EpisodeBatch.Stack(episodes);

        var fromList = maml.AccumulateMetaGradient(episodes, 0);
        double[] listGrads = TestEpisodes.Grads(model.Parameters);
        TestEpisodes.ZeroGrads(model.Parameters);
        var fromBatch = maml.AccumulateMetaGradient(batch, 0);
        double[] batchGrads = TestEpisodes.Grads(model.Parameters);

        fromBatch.TaskBatched.Should().Be(taskBatching);
        fromBatch.MeanQueryLoss.Should().BeApproximately(fromList.MeanQueryLoss, 1e-12);
        TestEpisodes.MaxRelativeError(batchGrads, listGrads).Should().BeLessThan(1e-9);
        foreach (var e in episodes)
        {
            e.Dispose();
        }
    }

    [Fact]
    public void Train_WithABatchSampler_GivesTheSameLossesAsWithAnEpisodeSampler()
    {
        var options = new MetaTrainerOptions { Iterations = 8, MetaBatchSize = 5, OuterLearningRate = 0.01, Seed = 3 };
        double[] Run(ITaskSampler sampler)
        {
            using var model = new Mlp(MlpOptions.WithLayers(1, 16, 16, 1));
            using var maml = new Maml(model);
            using var trainer = new MetaTrainer(maml, options);
            return trainer.Train(sampler).QueryLosses.ToArray();
        }

        var batched = Run(new SinusoidTaskSampler());
        var oneByOne = Run(new OneByOne(new SinusoidTaskSampler()));

        batched.Zip(oneByOne).Should().OnlyContain(p => Math.Abs(p.First - p.Second) <= 1e-5 * Math.Abs(p.Second));
    }

    /// <summary>Hides <see cref="IBatchTaskSampler"/> so the trainer draws episodes one by one.</summary>
    private sealed class OneByOne(ITaskSampler inner) : ITaskSampler
    {
        public Episode Sample(int seed) => inner.Sample(seed);
    }
}
