using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Training;

/// <summary>
/// A checkpoint holds the model's whole state (parameters, buffers, generator states), so resuming a model with dropout
/// or a fusion model whose branches have batch norm continues bit for bit as the uninterrupted run (same process).
/// </summary>
[Collection(GlobalRandomCollection.Name)]
public sealed class CheckpointModelStateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("metalearn-model-state").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void LoadCheckpoint_ConvertedModuleWithBatchNormAndDropout_ResumesBitIdentically()
    {
        var tasks = new GaussianClassificationTaskSampler(new GaussianClassificationTaskOptions { Ways = 3, Features = 4 });

        AssertResumesExactly(() => DropoutModule(seed: 3), tasks);
    }

    [Fact]
    public void LoadCheckpoint_LateFusionWithBatchNormBranches_ResumesBitIdentically()
    {
        var tasks = new MultimodalTaskSampler(new MultimodalTaskOptions { ModalityFeatures = new[] { 4, 6 } });

        AssertResumesExactly(() => new LateFusion(new IFunctionalModel[] { DropoutModule(seed: 1), DropoutModule(seed: 2, features: 6) }, ownsModels: true), tasks);
    }

    [Fact]
    public void LoadCheckpoint_FeatureFusionWithBatchNormEncoders_ResumesBitIdentically()
    {
        var tasks = new MultimodalTaskSampler(new MultimodalTaskOptions { ModalityFeatures = new[] { 4, 6 } });

        AssertResumesExactly(
            () => new FeatureFusion(new IFunctionalModel[] { DropoutModule(seed: 1, outputs: 5), DropoutModule(seed: 2, features: 6, outputs: 5) }, DropoutModule(seed: 4, features: 10), ownsModels: true),
            tasks);
    }

    [Fact]
    public void LoadCheckpoint_ModelWithOtherBuffers_IsRefusedNamingThem()
    {
        string path = Path.Combine(_dir, "run.ckpt");
        var options = new MetaTrainerOptions { Iterations = 1, MetaBatchSize = 2 };
        var tasks = new GaussianClassificationTaskSampler(new GaussianClassificationTaskOptions { Ways = 3, Features = 4 });
        using (var model = DropoutModule(seed: 1))
        using (var maml = new Maml(model))
        using (var trainer = new MetaTrainer(maml, options))
        {
            trainer.Train(tasks);
            trainer.SaveCheckpoint(path);
        }

        using var module = nn.Sequential(("fc1", nn.Linear(4, 16)), ("bn", nn.BatchNorm1d(16)), ("relu", nn.ReLU()), ("fc2", nn.Linear(16, 3)));
        using var other = FunctionalModel.FromModule(module);
        using var otherMaml = new Maml(other);
        using var resumed = new MetaTrainer(otherMaml, options);

        var act = () => resumed.LoadCheckpoint(path);

        act.Should().Throw<InvalidDataException>().WithMessage("*model buffers differ*only in the file: norm.running_mean*only in this trainer's model: bn.running_mean*");
        resumed.Iteration.Should().Be(0);
    }

    /// <summary>
    /// ANIL over a <see cref="Backbone"/> of a network whose forward is code, validated every 2 iterations (each
    /// validation adapts frozen copies of the module): the checkpoint holds the module's parameters and running
    /// statistics and the head, so the resumed run ends where the uninterrupted one does.
    /// </summary>
    [Fact]
    public void LoadCheckpoint_AnilOverABackboneValidatedWhileTraining_ResumesBitIdentically()
    {
        string path = Path.Combine(_dir, "backbone.ckpt");
        var tasks = new GaussianClassificationTaskSampler(new GaussianClassificationTaskOptions { Ways = 3, Features = 4 });
        var options = new MetaTrainerOptions { Iterations = 3, MetaBatchSize = 2, OuterLearningRate = 0.01, Seed = 4, ValidationInterval = 2, ValidationEpisodes = 4 };
        Backbone Build() => new(() => new Models.ResidualMlp(), new BackboneOptions { Ways = 3, Features = Models.ResidualMlp.Features, Seed = 2 });
        var inner = new InnerLoopOptions { Steps = 2, StepSize = 0.1 };

        ModelState straight;
        using (var model = Build())
        using (var anil = Maml.Anil(model, inner))
        using (var trainer = new MetaTrainer(anil, options with { Iterations = 6 }))
        {
            var initial = ModelState.Of(model);
            trainer.Train(tasks, tasks);
            straight = ModelState.Of(model);
            straight.Buffers.Should().NotEqual(initial.Buffers, "the module's training passes update its running statistics");
        }

        using (var model = Build())
        using (var anil = Maml.Anil(model, inner))
        using (var trainer = new MetaTrainer(anil, options))
        {
            trainer.Train(tasks, tasks);
            trainer.SaveCheckpoint(path);
        }

        using var resumedModel = Build();
        using var resumedAnil = Maml.Anil(resumedModel, inner);
        using var resumed = new MetaTrainer(resumedAnil, options);
        resumed.LoadCheckpoint(path);
        resumed.Train(tasks, tasks);

        var after = ModelState.Of(resumedModel);
        after.Parameters.Should().Equal(straight.Parameters);
        after.Buffers.Should().Equal(straight.Buffers);
    }

    /// <summary>Trains 6 iterations straight, and 3 + checkpoint + 3 on a freshly built model; both end in the same state.</summary>
    private void AssertResumesExactly(Func<IFunctionalModel> build, ITaskSampler tasks)
    {
        string path = Path.Combine(_dir, "run.ckpt");
        var options = new MetaTrainerOptions { Iterations = 3, MetaBatchSize = 2, OuterLearningRate = 0.01, Seed = 4 };
        var inner = new InnerLoopOptions { Steps = 2, StepSize = 0.1 };

        ModelState straight;
        using (var model = build())
        using (var maml = new Maml(model, inner))
        using (var trainer = new MetaTrainer(maml, options with { Iterations = 6 }))
        {
            var initial = ModelState.Of(model);
            trainer.Train(tasks);
            straight = ModelState.Of(model);
            straight.Buffers.Should().NotEqual(initial.Buffers, "training-mode passes update the running statistics");
            straight.Generators.Should().NotEqual(initial.Generators, "dropout draws from the model's generators");
        }

        using (var model = build())
        using (var maml = new Maml(model, inner))
        using (var trainer = new MetaTrainer(maml, options))
        {
            trainer.Train(tasks);
            trainer.SaveCheckpoint(path);
        }

        using var resumedModel = build();
        using var resumedMaml = new Maml(resumedModel, inner);
        using var resumed = new MetaTrainer(resumedMaml, options);
        resumed.LoadCheckpoint(path);
        resumed.Train(tasks);

        var after = ModelState.Of(resumedModel);
        after.Parameters.Should().Equal(straight.Parameters);
        after.Buffers.Should().Equal(straight.Buffers);
        after.Generators.Should().Equal(straight.Generators);
    }

    /// <summary>Linear, BatchNorm1d, ReLU, Dropout, Linear, converted with a dropout seed.</summary>
    private static FunctionalModel DropoutModule(int seed, int features = 4, int outputs = 3)
    {
        manual_seed(seed);
        using var module = nn.Sequential(
            ("fc1", nn.Linear(features, 16)), ("norm", nn.BatchNorm1d(16)), ("relu", nn.ReLU()), ("drop", nn.Dropout(0.3)), ("fc2", nn.Linear(16, outputs)));
        return FunctionalModel.FromModule(module, new ModuleConversionOptions { Seed = seed });
    }

    /// <summary>A model's parameters, buffers and generator states as plain values.</summary>
    private sealed record ModelState(double[] Parameters, double[] Buffers, byte[] Generators)
    {
        public static ModelState Of(IFunctionalModel model)
        {
            using var scope = NewDisposeScope();
            return new(
                TestEpisodes.Flatten(model.Parameters),
                TestEpisodes.Flatten(model.Buffers),
                model.Generators.SelectMany(g => g.get_state().data<byte>().ToArray()).ToArray());
        }
    }
}
