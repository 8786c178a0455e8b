using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;

namespace MetaLearn.Tests.Training;

public sealed class MetaBatchExecutorTests
{
    [Fact]
    public void Train_WithExecutor_HandsItEachIterationsSeedsAndStepsWithWhatItAccumulated()
    {
        var sampler = new MakeClassificationTaskSampler();
        float[] Run(IMetaBatchExecutor? executor, out MetaTrainer finished)
        {
            using var model = new Mlp(new MlpOptions { LayerSizes = new[] { 20, 8, 3 }, Seed = 4 });
            using var maml = new Maml(model, new InnerLoopOptions { Steps = 1, StepSize = 0.1, TaskBatching = false });
            var trainer = new MetaTrainer(maml, new MetaTrainerOptions { Iterations = 6, MetaBatchSize = 3, Seed = 9, OuterLearningRate = 0.01, MetaBatchExecutor = executor });
            trainer.Train(sampler);
            finished = trainer;
            return maml.MetaParameters.SelectMany(p => p.detach().data<float>().ToArray()).ToArray();
        }

        var recording = new InProcessExecutor();
        var expected = Run(null, out var plain);
        var actual = Run(recording, out var withExecutor);

        actual.Should().Equal(expected, "an executor that computes the per-episode meta-batch in process changes nothing");
        recording.Iterations.Should().Equal(0, 1, 2, 3, 4, 5);
        var firstBatch = plain.MetaBatch(sampler, 0);
        recording.Seeds[0].Select(s => Flat(sampler.Sample(s))).Should().BeEquivalentTo(firstBatch.Select(Flat), o => o.WithStrictOrdering(), "the seeds draw the trainer's own episodes");
        plain.Dispose();
        withExecutor.Dispose();
    }

    [Fact]
    public void MetaBatchExecutor_Default_IsNull()
    {
        new MetaTrainerOptions().MetaBatchExecutor.Should().BeNull();
    }

    private static float[] Flat(MetaLearn.Tasks.Episode episode)
    {
        using (episode)
        {
            return episode.SupportInputs[0].data<float>().ToArray();
        }
    }

    /// <summary>Computes in this process from the seeds, recording what it was handed.</summary>
    private sealed class InProcessExecutor : IMetaBatchExecutor
    {
        public List<int> Iterations { get; } = new();

        public List<int[]> Seeds { get; } = new();

        public MetaBatchResult AccumulateMetaGradient(IMetaAlgorithm algorithm, ITaskSampler sampler, int iteration, IReadOnlyList<int> episodeSeeds, CancellationToken cancellationToken)
        {
            Iterations.Add(iteration);
            Seeds.Add(episodeSeeds.ToArray());
            var episodes = episodeSeeds.Select(sampler.Sample).ToArray();
            try
            {
                return algorithm.AccumulateMetaGradient(episodes, iteration);
            }
            finally
            {
                foreach (var e in episodes)
                {
                    e.Dispose();
                }
            }
        }
    }
}
