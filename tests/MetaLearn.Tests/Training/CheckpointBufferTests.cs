using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;

namespace MetaLearn.Tests.Training;

/// <summary>Checkpoints of converted modules carry their buffers (batch-norm running statistics).</summary>
[Collection(GlobalRandomCollection.Name)]
public sealed class CheckpointBufferTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("metalearn-checkpoint-buffers").FullName;

    [Fact]
    public void LoadCheckpoint_ConvertedModuleWithBatchNorm_ResumesItsRunningStatisticsExactly()
    {
        string path = Path.Combine(_dir, "bn.ckpt");
        var options = new MetaTrainerOptions { Iterations = 6, MetaBatchSize = 2, OuterLearningRate = 0.01, Seed = 3 };
        double[] straightLosses;
        double[] straightBuffers;
        using (var model = BatchNormModel())
        using (var maml = new Maml(model))
        using (var trainer = new MetaTrainer(maml, options))
        {
            straightLosses = trainer.Train(new SinusoidTaskSampler()).QueryLosses.ToArray();
            straightBuffers = TestEpisodes.Flatten(model.Buffers);
        }

        double[] firstHalf;
        using (var model = BatchNormModel())
        using (var maml = new Maml(model))
        using (var trainer = new MetaTrainer(maml, options with { Iterations = 3 }))
        {
            firstHalf = trainer.Train(new SinusoidTaskSampler()).QueryLosses.ToArray();
            trainer.SaveCheckpoint(path);
        }

        using var resumedModel = BatchNormModel();
        using var resumedMaml = new Maml(resumedModel);
        using var resumed = new MetaTrainer(resumedMaml, options with { Iterations = 3 });
        resumed.LoadCheckpoint(path);
        var secondHalf = resumed.Train(new SinusoidTaskSampler()).QueryLosses;

        straightBuffers.Should().Contain(v => v != 0 && v != 1, "training moved the running statistics");
        firstHalf.Concat(secondHalf).Should().Equal(straightLosses);
        TestEpisodes.Flatten(resumedModel.Buffers).Should().Equal(straightBuffers);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static FunctionalModel BatchNormModel()
    {
        torch.manual_seed(8);
        using var module = torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(), torch.nn.Linear(8, 1));
        return FunctionalModel.FromModule(module);
    }
}
