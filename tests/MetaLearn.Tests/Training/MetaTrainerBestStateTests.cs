using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Training;

/// <summary>Keeping the best validation keeps what predictions read: the meta-parameters and the running statistics.</summary>
public sealed class MetaTrainerBestStateTests
{
    private const int Iterations = 8;

    [Fact]
    public void Train_RestoreBestParameters_PutsBackTheRunningStatisticsOfTheBestIterationToo()
    {
        var (restored, bestIteration) = Train(Iterations, restore: true);
        var (last, _) = Train(Iterations, restore: false);
        var (atBest, _) = Train(bestIteration, restore: false);

        bestIteration.Should().BeLessThan(Iterations, "the test needs a best iteration before the last one");
        restored.Parameters.Should().Equal(atBest.Parameters);
        restored.Buffers.Should().Equal(atBest.Buffers, "the running statistics of the best iteration come back with its parameters");
        restored.Buffers.Should().NotEqual(last.Buffers, "training after the best iteration moved them");
    }

    [Fact]
    public void LoadCheckpoint_BeforeTheEnd_KeepsTheBestIterationsRunningStatistics()
    {
        var (uninterrupted, bestIteration) = Train(Iterations, restore: true);
        string path = Path.Combine(Path.GetTempPath(), $"metalearn-best-{Guid.NewGuid():N}.ckpt");
        try
        {
            // Checkpointed at the best iteration itself: the resumed half must keep what the file says is best.
            bestIteration.Should().BeLessThan(Iterations, "the test needs a best iteration before the last one");
            Train(bestIteration, restore: false, save: path);
            var (resumed, _) = Train(Iterations - bestIteration, restore: true, load: path);

            resumed.Parameters.Should().Equal(uninterrupted.Parameters);
            resumed.Buffers.Should().Equal(uninterrupted.Buffers, "the checkpoint carries the best iteration's running statistics");
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// MAML over a converted module with batch norm keeping running statistics, validated every iteration; optionally
    /// resumed from the checkpoint <paramref name="load"/> or saved to <paramref name="save"/> at the end.
    /// </summary>
    private static ((double[] Parameters, double[] Buffers) State, int BestIteration) Train(int iterations, bool restore, string? save = null, string? load = null)
    {
        using var net = nn.Sequential(
            ("fc", nn.Linear(4, 16, dtype: ScalarType.Float64)), ("norm", nn.BatchNorm1d(16, dtype: ScalarType.Float64)),
            ("relu", nn.ReLU()), ("head", nn.Linear(16, 3, dtype: ScalarType.Float64)));
        using var model = FunctionalModel.FromModule(net);
        using (var generator = new Generator(3))
        using (no_grad())
        {
            foreach (var p in model.Parameters)
            {
                p.copy_(empty(p.shape, dtype: ScalarType.Float64).uniform_(-0.5, 0.5, generator: generator));
            }
        }

        using var maml = new Maml(model, new InnerLoopOptions { Steps = 1, StepSize = 0.4 });
        var sampler = new GaussianClassificationTaskSampler(new GaussianClassificationTaskOptions { Ways = 3, Features = 4, Shots = 2, Queries = 3 });
        using var trainer = new MetaTrainer(maml, new MetaTrainerOptions
        {
            Iterations = iterations, MetaBatchSize = 2, OuterLearningRate = 0.05, Seed = 4, ValidationInterval = 1, ValidationEpisodes = 4, RestoreBestParameters = restore,
        });
        if (load is not null)
        {
            trainer.LoadCheckpoint(load);
        }

        var result = trainer.Train(sampler, sampler);
        if (save is not null)
        {
            trainer.SaveCheckpoint(save);
        }

        return ((TestEpisodes.Flatten(model.Parameters), TestEpisodes.Flatten(model.Buffers)), result.BestIteration);
    }
}
