using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;

namespace MetaLearn.Tests.Training;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("metalearn-checkpoint").FullName;

    [Fact]
    public void LoadCheckpoint_ResumesTrainingExactly()
    {
        var options = new MetaTrainerOptions { Iterations = 6, MetaBatchSize = 4, OuterLearningRate = 0.01, Seed = 2, ValidationInterval = 3, ValidationEpisodes = 5 };
        var sampler = new SinusoidTaskSampler();
        string path = Path.Combine(_dir, "run.ckpt");

        double[] straightLosses;
        double[] straightParams;
        using (var model = NewModel())
        using (var metaSgd = new MetaSgd(model, new InnerLoopOptions()))
        using (var trainer = new MetaTrainer(metaSgd, options with { Iterations = 12, RestoreBestParameters = false }))
        {
            straightLosses = trainer.Train(sampler, sampler).QueryLosses.ToArray();
            straightParams = TestEpisodes.Flatten(metaSgd.MetaParameters);
        }

        double[] firstHalf;
        using (var model = NewModel())
        using (var metaSgd = new MetaSgd(model, new InnerLoopOptions()))
        using (var trainer = new MetaTrainer(metaSgd, options with { RestoreBestParameters = false, CheckpointInterval = 6, CheckpointPath = path }))
        {
            firstHalf = trainer.Train(sampler, sampler).QueryLosses.ToArray();
        }

        using var resumedModel = new Mlp(MlpOptions.WithLayers(1, 16, 16, 1) with { Seed = 77 });
        using var resumedAlgorithm = new MetaSgd(resumedModel, new InnerLoopOptions());
        using var resumed = new MetaTrainer(resumedAlgorithm, options with { RestoreBestParameters = false });
        resumed.LoadCheckpoint(path);
        resumed.Iteration.Should().Be(6);
        var secondHalf = resumed.Train(sampler, sampler).QueryLosses;

        firstHalf.Concat(secondHalf).Should().Equal(straightLosses);
        TestEpisodes.Flatten(resumedAlgorithm.MetaParameters).Should().Equal(straightParams);
        Directory.GetFiles(_dir).Should().Equal(path);
    }

    [Fact]
    public void LoadCheckpoint_TruncatedFile_ThrowsInvalidData_AndLeavesTheTrainerAsItWas()
    {
        string path = Path.Combine(_dir, "run.ckpt");
        using var model = NewModel();
        using var maml = new Maml(model);
        using var trainer = new MetaTrainer(maml, new MetaTrainerOptions { Iterations = 3, MetaBatchSize = 2 });
        trainer.Train(new SinusoidTaskSampler());
        trainer.SaveCheckpoint(path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        double[] before = TestEpisodes.Flatten(model.Parameters);

        var act = () => trainer.LoadCheckpoint(path);

        act.Should().Throw<InvalidDataException>().WithMessage("*truncated*");
        TestEpisodes.Flatten(model.Parameters).Should().Equal(before);
        trainer.Iteration.Should().Be(3);
    }

    [Fact]
    public void LoadCheckpoint_OtherArchitectureOrFile_ThrowsSayingWhy()
    {
        string path = Path.Combine(_dir, "run.ckpt");
        using (var model = NewModel())
        using (var maml = new Maml(model))
        using (var trainer = new MetaTrainer(maml))
        {
            trainer.SaveCheckpoint(path);
        }

        using var wide = new Mlp(MlpOptions.WithLayers(1, 32, 16, 1));
        using var wideMaml = new Maml(wide);
        using var wideTrainer = new MetaTrainer(wideMaml);
        ((Action)(() => wideTrainer.LoadCheckpoint(path))).Should().Throw<InvalidDataException>().WithMessage("*meta-parameter 0 has shape [16, 1] but this trainer's is [32, 1]*");

        using var reptile = new Reptile(wide);
        using var reptileTrainer = new MetaTrainer(reptile);
        ((Action)(() => reptileTrainer.LoadCheckpoint(path))).Should().Throw<InvalidDataException>().WithMessage("*written by a 'maml' trainer*");

        string text = Path.Combine(_dir, "notes.txt");
        File.WriteAllText(text, "hello");
        ((Action)(() => wideTrainer.LoadCheckpoint(text))).Should().Throw<InvalidDataException>();
        ((Action)(() => wideTrainer.LoadCheckpoint(Path.Combine(_dir, "missing")))).Should().Throw<FileNotFoundException>();
    }

    [Fact]
    public void Train_CheckpointIntervalWithoutPath_Throws()
    {
        using var model = NewModel();
        using var maml = new Maml(model);
        using var trainer = new MetaTrainer(maml, new MetaTrainerOptions { Iterations = 2, CheckpointInterval = 1 });

        var act = () => trainer.Train(new SinusoidTaskSampler());

        act.Should().Throw<InvalidOperationException>().WithMessage("*CheckpointPath*");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Mlp NewModel() => new(MlpOptions.WithLayers(1, 16, 16, 1) with { Seed = 5 });
}
