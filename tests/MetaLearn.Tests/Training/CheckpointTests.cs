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
        using (var metaSgd = Maml.MetaSgd(model, new InnerLoopOptions()))
        using (var trainer = new MetaTrainer(metaSgd, options with { Iterations = 12, RestoreBestParameters = false }))
        {
            straightLosses = trainer.Train(sampler, sampler).QueryLosses.ToArray();
            straightParams = TestEpisodes.Flatten(metaSgd.MetaParameters);
        }

        double[] firstHalf;
        using (var model = NewModel())
        using (var metaSgd = Maml.MetaSgd(model, new InnerLoopOptions()))
        using (var trainer = new MetaTrainer(metaSgd, options with { RestoreBestParameters = false, Checkpoint = new CheckpointOptions(path) { Interval = null, IterationInterval = 6 } }))
        {
            firstHalf = trainer.Train(sampler, sampler).QueryLosses.ToArray();
        }

        using var resumedModel = new Mlp(MlpOptions.WithLayers(1, 16, 16, 1) with { Seed = 77 });
        using var resumedAlgorithm = Maml.MetaSgd(resumedModel, new InnerLoopOptions());
        using var resumed = new MetaTrainer(resumedAlgorithm, options with { RestoreBestParameters = false });
        resumed.LoadCheckpoint(path);
        resumed.Iteration.Should().Be(6);
        var secondHalf = resumed.Train(sampler, sampler).QueryLosses;

        firstHalf.Concat(secondHalf).Should().Equal(straightLosses);
        TestEpisodes.Flatten(resumedAlgorithm.MetaParameters).Should().Equal(straightParams);
        Directory.GetFiles(_dir).Should().Equal(path);
    }

    [Fact]
    public void LoadCheckpoint_FlippedByteAtEveryPosition_IsRefusedAndChangesNothing()
    {
        string path = Path.Combine(_dir, "run.ckpt");
        using var model = TinyModel();
        using var maml = new Maml(model);
        using var trainer = new MetaTrainer(maml, new MetaTrainerOptions { Iterations = 3, MetaBatchSize = 2 });
        trainer.Train(new SinusoidTaskSampler());
        trainer.SaveCheckpoint(path);
        byte[] good = File.ReadAllBytes(path);
        trainer.Train(new SinusoidTaskSampler());
        double[] before = TestEpisodes.Flatten(model.Parameters);

        for (int position = 0; position < good.Length; position++)
        {
            byte[] bad = (byte[])good.Clone();
            bad[position] ^= (byte)(1 << (position % 8));
            File.WriteAllBytes(path, bad);

            var act = () => trainer.LoadCheckpoint(path);

            act.Should().Throw<InvalidDataException>($"byte {position} of {good.Length} was changed");
        }

        TestEpisodes.Flatten(model.Parameters).Should().Equal(before);
        trainer.Iteration.Should().Be(6);
        File.WriteAllBytes(path, good);
        trainer.LoadCheckpoint(path);
        trainer.Iteration.Should().Be(3);
    }

    [Fact]
    public void LoadCheckpoint_FlippedPayloadByte_SaysTheChecksumDoesNotMatch()
    {
        string path = Path.Combine(_dir, "run.ckpt");
        using var model = TinyModel();
        using var maml = new Maml(model);
        using var trainer = new MetaTrainer(maml, new MetaTrainerOptions { Iterations = 2, MetaBatchSize = 2 });
        trainer.Train(new SinusoidTaskSampler());
        trainer.SaveCheckpoint(path);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        var act = () => trainer.LoadCheckpoint(path);

        act.Should().Throw<InvalidDataException>().WithMessage("*corrupted: the SHA-256 of its content does not match*");
    }

    [Fact]
    public void LoadCheckpoint_TruncatedAtEveryLength_ThrowsInvalidData_AndLeavesTheTrainerAsItWas()
    {
        string path = Path.Combine(_dir, "run.ckpt");
        using var model = TinyModel();
        using var maml = new Maml(model);
        using var trainer = new MetaTrainer(maml, new MetaTrainerOptions { Iterations = 3, MetaBatchSize = 2 });
        trainer.Train(new SinusoidTaskSampler());
        trainer.SaveCheckpoint(path);
        byte[] bytes = File.ReadAllBytes(path);
        trainer.Train(new SinusoidTaskSampler());
        double[] before = TestEpisodes.Flatten(model.Parameters);

        for (int length = 0; length < bytes.Length; length++)
        {
            File.WriteAllBytes(path, bytes[..length]);

            var act = () => trainer.LoadCheckpoint(path);

            act.Should().Throw<InvalidDataException>($"the file was cut to {length} of {bytes.Length} bytes");
        }

        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        ((Action)(() => trainer.LoadCheckpoint(path))).Should().Throw<InvalidDataException>().WithMessage("*truncated*");
        TestEpisodes.Flatten(model.Parameters).Should().Equal(before);
        trainer.Iteration.Should().Be(6);
    }

    [Fact]
    public void LoadCheckpoint_Version1File_IsRefusedAsAnOlderFormat()
    {
        string path = Path.Combine(_dir, "old.ckpt");
        using (var writer = new BinaryWriter(File.Create(path)))
        {
            writer.Write("METALEARN-CHECKPOINT");
            writer.Write(1);
            writer.Write("maml");
            writer.Write(3);
        }

        using var model = TinyModel();
        using var maml = new Maml(model);
        using var trainer = new MetaTrainer(maml);

        var act = () => trainer.LoadCheckpoint(path);

        act.Should().Throw<InvalidDataException>().WithMessage("*version-1 checkpoint, an older format*no longer reads*");
    }

    [Fact]
    public void LoadCheckpoint_Version2File_IsRefusedAsAnOlderFormatWithoutGeneratorStates()
    {
        string path = Path.Combine(_dir, "v2.ckpt");
        using var model = TinyModel();
        using var maml = new Maml(model);
        using var trainer = new MetaTrainer(maml, new MetaTrainerOptions { Iterations = 1, MetaBatchSize = 2 });
        trainer.Train(new SinusoidTaskSampler());
        trainer.SaveCheckpoint(path);
        byte[] bytes = File.ReadAllBytes(path);
        int version = 1 + "METALEARN-CHECKPOINT".Length;
        BitConverter.ToInt32(bytes, version).Should().Be(3);
        BitConverter.GetBytes(2).CopyTo(bytes, version);
        File.WriteAllBytes(path, bytes);

        var act = () => trainer.LoadCheckpoint(path);

        act.Should().Throw<InvalidDataException>().WithMessage("*version-2 checkpoint, an older format without the model's dropout generator states*start the training again*");
        trainer.Iteration.Should().Be(1);
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
    public void LoadCheckpoint_OtherDTypeOrShape_IsRefusedBeforeAnyTensorIsAllocated()
    {
        string path = Path.Combine(_dir, "run.ckpt");
        using (var model = NewModel())
        using (var maml = new Maml(model))
        using (var trainer = new MetaTrainer(maml))
        {
            trainer.SaveCheckpoint(path);
        }

        using var single = new Mlp(MlpOptions.WithLayers(1, 16, 16, 1) with { Seed = 5, DType = torch.ScalarType.Float64 });
        using var singleMaml = new Maml(single);
        using var singleTrainer = new MetaTrainer(singleMaml);
        using var narrow = new Mlp(MlpOptions.WithLayers(1, 16, 8, 1) with { Seed = 5 });
        using var narrowMaml = new Maml(narrow);
        using var narrowTrainer = new MetaTrainer(narrowMaml);
        double[] before = TestEpisodes.Flatten(single.Parameters);
        long created = Created();

        ((Action)(() => singleTrainer.LoadCheckpoint(path))).Should().Throw<InvalidDataException>().WithMessage("*meta-parameter 0 is Float32 but this trainer's is Float64*");
        ((Action)(() => narrowTrainer.LoadCheckpoint(path))).Should().Throw<InvalidDataException>().WithMessage("*meta-parameter 2 has shape [16, 16] but this trainer's is [8, 16]*");

        Created().Should().Be(created, "no tensor may be allocated from a file that does not fit");
        TestEpisodes.Flatten(single.Parameters).Should().Equal(before);
    }

    [Fact]
    public void LoadCheckpoint_OtherOptimizer_IsRefusedAndKeepsTheOptimizerState()
    {
        string path = Path.Combine(_dir, "sgd.ckpt");
        var options = new MetaTrainerOptions { Iterations = 3, MetaBatchSize = 2, OuterLearningRate = 0.01 };
        using (var model = TinyModel())
        using (var maml = new Maml(model))
        using (var trainer = new MetaTrainer(maml, options with { OptimizerFactory = p => SafeOptimizers.Sgd(p, 0.01, momentum: 0.9) }))
        {
            trainer.Train(new SinusoidTaskSampler());
            trainer.SaveCheckpoint(path);
        }

        double[] straight;
        using (var model = TinyModel())
        using (var maml = new Maml(model))
        using (var trainer = new MetaTrainer(maml, options))
        {
            trainer.Train(new SinusoidTaskSampler());
            straight = trainer.Train(new SinusoidTaskSampler()).QueryLosses.ToArray();
        }

        using var adamModel = TinyModel();
        using var adamMaml = new Maml(adamModel);
        using var adam = new MetaTrainer(adamMaml, options);
        adam.Train(new SinusoidTaskSampler());

        var act = () => adam.LoadCheckpoint(path);

        act.Should().Throw<InvalidDataException>().WithMessage("*outer optimizer state does not fit this trainer's SafeOptimizers.Adam: it was written by SafeOptimizers.Sgd*");
        adam.Iteration.Should().Be(3);
        adam.Train(new SinusoidTaskSampler()).QueryLosses.Should().Equal(straight);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Mlp NewModel() => new(MlpOptions.WithLayers(1, 16, 16, 1) with { Seed = 5 });

    private static Mlp TinyModel() => new(MlpOptions.WithLayers(1, 4, 1) with { Seed = 5 });

    private static long Created() => DisposeScopeManager.Statistics.CreatedInScopeCount + DisposeScopeManager.Statistics.CreatedOutsideScopeCount;
}
