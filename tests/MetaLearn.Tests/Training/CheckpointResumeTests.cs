using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Tasks;
using MetaLearn.Training;

namespace MetaLearn.Tests.Training;

/// <summary>A checkpoint records what decides the episode stream; resuming with anything else is refused.</summary>
public sealed class CheckpointResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("metalearn-resume").FullName;

    [Fact]
    public void LoadCheckpoint_OtherSeedOrMetaBatchSize_IsRefusedNamingTheValue()
    {
        string path = Path.Combine(_dir, "run.ckpt");
        var options = new MetaTrainerOptions { Iterations = 2, MetaBatchSize = 3, Seed = 2 };
        using (var model = NewModel())
        using (var maml = new Maml(model))
        using (var trainer = new MetaTrainer(maml, options))
        {
            trainer.Train(new SinusoidTaskSampler());
            trainer.SaveCheckpoint(path);
        }

        using var other = NewModel();
        using var otherMaml = new Maml(other);
        using var otherSeed = new MetaTrainer(otherMaml, options with { Seed = 3 });
        using var otherBatch = new MetaTrainer(otherMaml, options with { MetaBatchSize = 4 });
        double[] before = TestEpisodes.Flatten(other.Parameters);

        ((Action)(() => otherSeed.LoadCheckpoint(path))).Should().Throw<InvalidOperationException>()
            .WithMessage("*Seed = 2 in the checkpoint, 3 in this trainer*")
            .Which.Message.Should().NotContain("MetaBatchSize");
        ((Action)(() => otherBatch.LoadCheckpoint(path))).Should().Throw<InvalidOperationException>()
            .WithMessage("*MetaBatchSize = 3 in the checkpoint, 4 in this trainer*");
        otherSeed.Iteration.Should().Be(0);
        TestEpisodes.Flatten(other.Parameters).Should().Equal(before);
    }

    [Fact]
    public void Train_AfterLoadingWithOtherSamplerOptions_IsRefusedNamingTheOption()
    {
        string path = Path.Combine(_dir, "run.ckpt");
        var options = new MetaTrainerOptions { Iterations = 2, MetaBatchSize = 2 };
        using var model = NewModel();
        using var maml = new Maml(model);
        using (var trainer = new MetaTrainer(maml, options))
        {
            trainer.Train(new SinusoidTaskSampler(new SinusoidTaskOptions { Shots = 5, AmplitudeMax = 2.5 }));
            trainer.SaveCheckpoint(path);
        }

        using var resumed = new MetaTrainer(maml, options);
        resumed.LoadCheckpoint(path);
        double[] before = TestEpisodes.Flatten(model.Parameters);

        var act = () => resumed.Train(new SinusoidTaskSampler(new SinusoidTaskOptions { Shots = 10, AmplitudeMax = 2.5 }));

        act.Should().Throw<InvalidOperationException>().WithMessage("*differing: Shots: 5 -> 10)*same sampler type, options and data*")
            .Which.Message.Should().NotContain("AmplitudeMax:");
        resumed.Iteration.Should().Be(2);
        TestEpisodes.Flatten(model.Parameters).Should().Equal(before);
        resumed.Train(new SinusoidTaskSampler(new SinusoidTaskOptions { Shots = 5, AmplitudeMax = 2.5 })).Iterations.Should().Be(4);
    }

    [Fact]
    public void Train_AfterLoadingWithAnotherSamplerType_IsRefusedNamingBoth()
    {
        string path = Path.Combine(_dir, "run.ckpt");
        var options = new MetaTrainerOptions { Iterations = 2, MetaBatchSize = 2 };
        using var model = NewModel();
        using var maml = new Maml(model);
        using (var trainer = new MetaTrainer(maml, options))
        {
            trainer.Train(new SinusoidTaskSampler());
            trainer.SaveCheckpoint(path);
        }

        using var resumed = new MetaTrainer(maml, options);
        resumed.LoadCheckpoint(path);

        var act = () => resumed.Train(new ShiftedSineSampler(0));

        act.Should().Throw<InvalidOperationException>().WithMessage("*MetaLearn.Sampling.SinusoidTaskSampler SinusoidTaskOptions {*ShiftedSineSampler*");
    }

    [Fact]
    public void Train_AfterLoadingWithASamplerThatDrawsOtherEpisodes_IsRefused()
    {
        string path = Path.Combine(_dir, "run.ckpt");
        var options = new MetaTrainerOptions { Iterations = 2, MetaBatchSize = 2 };
        using var model = NewModel();
        using var maml = new Maml(model);
        using (var trainer = new MetaTrainer(maml, options))
        {
            trainer.Train(new ShiftedSineSampler(0));
            trainer.SaveCheckpoint(path);
        }

        using var resumed = new MetaTrainer(maml, options);
        resumed.LoadCheckpoint(path);

        var act = () => resumed.Train(new ShiftedSineSampler(1));

        act.Should().Throw<InvalidOperationException>().WithMessage("*same options but draws other episodes from the same seed*");
        resumed.Train(new ShiftedSineSampler(0)).Iterations.Should().Be(4);
    }

    [Fact]
    public void SaveCheckpoint_BeforeTraining_ThenLoadAndTrain_AcceptsAnySampler()
    {
        string path = Path.Combine(_dir, "fresh.ckpt");
        using var model = NewModel();
        using var maml = new Maml(model);
        using (var trainer = new MetaTrainer(maml, new MetaTrainerOptions { Iterations = 2, MetaBatchSize = 2 }))
        {
            trainer.SaveCheckpoint(path);
        }

        using var resumed = new MetaTrainer(maml, new MetaTrainerOptions { Iterations = 2, MetaBatchSize = 2 });
        resumed.LoadCheckpoint(path);

        resumed.Train(new ShiftedSineSampler(3)).Iterations.Should().Be(2);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Mlp NewModel() => new(MlpOptions.WithLayers(1, 8, 1) with { Seed = 5 });

    /// <summary>A sampler without an Options property whose episodes depend on a constructor argument.</summary>
    private sealed class ShiftedSineSampler(int shift) : ITaskSampler
    {
        private readonly SinusoidTaskSampler _inner = new();

        public Episode Sample(int seed) => _inner.Sample(seed + shift);
    }
}
