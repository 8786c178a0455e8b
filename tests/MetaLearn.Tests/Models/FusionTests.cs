using MetaLearn.Algorithms;
using MetaLearn.Evaluation;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Models;

public sealed class FusionTests
{
    private static readonly MultimodalTaskSampler Tasks = new(new MultimodalTaskOptions { Ways = 3, ModalityFeatures = new[] { 4, 6 }, Separation = 2.5 });

    [Fact]
    public void LateFusion_Forward_IsTheSoftmaxWeightedSumOfTheBranches()
    {
        using var model = LateFusionModel(ScalarType.Float64);
        using var scope = NewDisposeScope();
        var a = randn(5, 4, dtype: ScalarType.Float64);
        var b = randn(5, 6, dtype: ScalarType.Float64);
        using (no_grad())
        {
            model.Parameters[^1].copy_(tensor(new[] { 0.3, -1.7 }, dtype: ScalarType.Float64));
        }

        var fused = model.Forward(new[] { a, b }, model.Parameters, default);
        double w0 = Math.Exp(0.3) / (Math.Exp(0.3) + Math.Exp(-1.7));
        var expected = (model.Branches[0].Forward(a) * w0) + (model.Branches[1].Forward(b) * (1 - w0));

        TestEpisodes.MaxRelativeError(TestEpisodes.Flatten(new[] { fused }), TestEpisodes.Flatten(new[] { expected })).Should().BeLessThan(1e-14);
        model.ModalityWeights().Should().Equal(new[] { w0, 1 - w0 }, (x, y) => Math.Abs(x - y) < 1e-15);
        model.ParameterNames[^1].Should().Be("fusion.logits");
        model.ParameterNames[0].Should().Be("branch0.layer0.weight");
        model.HeadStart.Should().Be(model.Parameters.Count - 1);
    }

    [Fact]
    public void LateFusion_InitialWeights_AreNormalisedAndReadBack()
    {
        using var model = new LateFusion(
            new IFunctionalModel[] { new Mlp(MlpOptions.WithLayers(4, 3)), new Mlp(MlpOptions.WithLayers(6, 3)), new Mlp(MlpOptions.WithLayers(2, 3)) },
            new[] { 2.0, 1.0, 1.0 }, ownsModels: true);

        model.ModalityWeights().Should().Equal(new[] { 0.5, 0.25, 0.25 }, (x, y) => Math.Abs(x - y) < 1e-7);
        FluentActions.Invoking(() => new LateFusion(new IFunctionalModel[] { new Mlp(MlpOptions.WithLayers(4, 3)) }, new[] { -1.0 }, ownsModels: true))
            .Should().Throw<ArgumentException>().WithMessage("*positive initial weight*");
    }

    [Fact]
    public void LateFusion_MissingModality_RenormalisesTheRemainingWeights()
    {
        using var model = LateFusionModel(ScalarType.Float64);
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            model.Parameters[^1].copy_(tensor(new[] { 0.3, -1.7 }, dtype: ScalarType.Float64));
        }

        var a = randn(4, 4, dtype: ScalarType.Float64);
        var b = randn(4, 6, dtype: ScalarType.Float64);
        var mask = tensor(new[] { 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0 }, new long[] { 4, 2 }, dtype: ScalarType.Float64);
        var bWithNaN = b.clone();
        bWithNaN[1] = full(6, double.NaN, dtype: ScalarType.Float64);
        var aWithNaN = a.clone();
        aWithNaN[2] = full(4, double.NaN, dtype: ScalarType.Float64);

        var fused = model.Forward(new[] { aWithNaN, bWithNaN, mask }, model.Parameters, default);

        var full2 = model.Forward(new[] { a, b }, model.Parameters, default);
        var onlyA = model.Branches[0].Forward(a);
        var onlyB = model.Branches[1].Forward(b);
        double[] Row(Tensor t, int r) => TestEpisodes.Flatten(new[] { t[r] });
        fused.isnan().any().ToBoolean().Should().BeFalse("the mask keeps the NaN features of missing modalities out");
        Row(fused, 0).Should().Equal(Row(full2, 0), (x, y) => Math.Abs(x - y) < 1e-12);
        Row(fused, 1).Should().Equal(Row(onlyA, 1), (x, y) => Math.Abs(x - y) < 1e-12, "modality 1 is missing, so modality 0 gets all the weight");
        Row(fused, 2).Should().Equal(Row(onlyB, 2), (x, y) => Math.Abs(x - y) < 1e-12);
    }

    [Fact]
    public void FeatureFusion_MissingModality_ZeroesItsFeaturesAndRescalesTheOthers()
    {
        using var model = FeatureFusionModel(ScalarType.Float64);
        using var scope = NewDisposeScope();
        var a = randn(3, 4, dtype: ScalarType.Float64);
        var b = randn(3, 6, dtype: ScalarType.Float64);
        var mask = tensor(new[] { 1.0, 1.0, 1.0, 0.0, 0.0, 1.0 }, new long[] { 3, 2 }, dtype: ScalarType.Float64);
        var bWithNaN = b.clone();
        bWithNaN[1] = full(6, double.NaN, dtype: ScalarType.Float64);

        var fused = model.Forward(new[] { a, bWithNaN, mask }, model.Parameters, default);

        var fa = model.Encoders[0].Forward(a);
        var fb = model.Encoders[1].Forward(b);
        var weightsOfExamples = tensor(new[] { 1.0, 1.0, 2.0, 0.0, 0.0, 2.0 }, new long[] { 3, 2 }, dtype: ScalarType.Float64);
        var features = cat(new[] { fa * weightsOfExamples[.., 0].unsqueeze(1), fb * weightsOfExamples[.., 1].unsqueeze(1) }, 1);
        var head = model.Parameters.Skip(4).ToArray();
        var expected = Mlp.Run(features, head, 0, head.Length / 2, false);

        fused.isnan().any().ToBoolean().Should().BeFalse();
        TestEpisodes.MaxRelativeError(TestEpisodes.Flatten(new[] { fused }), TestEpisodes.Flatten(new[] { expected })).Should().BeLessThan(1e-14);
    }

    [Fact]
    public void FeatureFusion_AnyFunctionalModelAsHead_IsUsedAndAdaptedByAnil()
    {
        var head = new LateFusion(new IFunctionalModel[] { new Mlp(MlpOptions.WithLayers(16, 3) with { DType = ScalarType.Float64 }) }, ownsModels: true);
        using var model = new FeatureFusion(
            new IFunctionalModel[]
            {
                new Mlp(MlpOptions.WithLayers(4, 8) with { Seed = 1, DType = ScalarType.Float64 }),
                new Mlp(MlpOptions.WithLayers(6, 8) with { Seed = 2, DType = ScalarType.Float64 }),
            },
            head, ownsModels: true);
        using var scope = NewDisposeScope();
        var a = randn(5, 4, dtype: ScalarType.Float64);
        var b = randn(5, 6, dtype: ScalarType.Float64);

        var fused = model.Forward(new[] { a, b }, model.Parameters, default);

        var expected = head.Forward(new[] { cat(new[] { model.Encoders[0].Forward(a), model.Encoders[1].Forward(b) }, 1) }, head.Parameters, default);
        TestEpisodes.Flatten(new[] { fused }).Should().Equal(TestEpisodes.Flatten(new[] { expected }));
        model.Head.Should().BeSameAs(head);
        model.HeadStart.Should().Be(4 + head.HeadStart);
        model.ParameterNames[^1].Should().Be("head.fusion.logits");
    }

    [Fact]
    public void FeatureFusion_Forward_IsTheHeadOfConcatenatedFeatures()
    {
        using var model = FeatureFusionModel(ScalarType.Float64);
        using var scope = NewDisposeScope();
        var a = randn(5, 4, dtype: ScalarType.Float64);
        var b = randn(5, 6, dtype: ScalarType.Float64);

        var fused = model.Forward(new[] { a, b }, model.Parameters, default);
        var features = cat(new[] { model.Encoders[0].Forward(a), model.Encoders[1].Forward(b) }, 1);
        var head = model.Parameters.Skip(4).ToArray();
        var expected = Mlp.Run(features, head, 0, head.Length / 2, false);

        TestEpisodes.Flatten(new[] { fused }).Should().Equal(TestEpisodes.Flatten(new[] { expected }));
        model.HeadStart.Should().Be(model.Parameters.Count - 2);
    }

    [Fact]
    public void LateFusion_ConvertedTorchSharpModuleAsBranch_FusesItsOutputAndReceivesTheMetaGradient()
    {
        using var module = nn.Sequential(("fc1", nn.Linear(4, 16, dtype: ScalarType.Float64)), ("relu", nn.ReLU()), ("fc2", nn.Linear(16, 3, dtype: ScalarType.Float64)));
        using var model = new LateFusion(new IFunctionalModel[]
        {
            FunctionalModel.FromModule(module),
            new Mlp(MlpOptions.WithLayers(6, 16, 3) with { Seed = 2, DType = ScalarType.Float64 }),
        }, ownsModels: true);
        using var scope = NewDisposeScope();
        var a = randn(5, 4, dtype: ScalarType.Float64);
        var b = randn(5, 6, dtype: ScalarType.Float64);

        var fused = model.Forward(new[] { a, b }, model.Parameters, default);

        var expected = (module.forward(a) * 0.5) + (model.Branches[1].Forward(b) * 0.5);
        TestEpisodes.MaxRelativeError(TestEpisodes.Flatten(new[] { fused }), TestEpisodes.Flatten(new[] { expected })).Should().BeLessThan(1e-14);
        model.ParameterNames[0].Should().Be("branch0.fc1.weight");
        var tasks = new ComplementaryTaskSampler(new ComplementaryTaskOptions
        {
            Ways = 3,
            Modalities = new[] { ModalityOptions.Informative(4), ModalityOptions.Informative(6) with { MissingRate = 0.3 } },
        });
        using var episode = tasks.Sample(1);
        using var maml = new Maml(model, new InnerLoopOptions { Steps = 1, StepSize = 0.3 });
        maml.AccumulateMetaGradient(new[] { episode }, 0);
        TestEpisodes.Grads(model.Parameters.Take(4)).Should().OnlyContain(g => double.IsFinite(g)).And.Contain(g => Math.Abs(g) > 1e-6);
    }

    [Theory]
    [InlineData("late", false)]
    [InlineData("feature", false)]
    [InlineData("late", true)]
    [InlineData("feature", true)]
    public void Maml_OnMultimodalEpisodes_BatchedEqualsPerTask(string kind, bool missing)
    {
        using var model = kind == "late" ? (IFunctionalModel)LateFusionModel(ScalarType.Float64) : FeatureFusionModel(ScalarType.Float64);
        var masked = new ComplementaryTaskSampler(new ComplementaryTaskOptions
        {
            Ways = 3,
            Modalities = new[] { ModalityOptions.Informative(4) with { MissingRate = 0.3 }, ModalityOptions.Informative(6) with { MissingRate = 0.3 } },
        });
        var episodes = Enumerable.Range(0, 3).Select(s => missing ? masked.Sample(s) : Tasks.Sample(s)).ToArray();
        double[] Grads(bool batching)
        {
            using var maml = new Maml(model, new InnerLoopOptions { Steps = 2, StepSize = 0.3, TaskBatching = batching });
            TestEpisodes.ZeroGrads(model.Parameters);
            maml.AccumulateMetaGradient(episodes, 0).TaskBatched.Should().Be(batching);
            return TestEpisodes.Grads(model.Parameters);
        }

        var batched = Grads(true);
        batched.Should().OnlyContain(g => double.IsFinite(g));
        TestEpisodes.MaxRelativeError(batched, Grads(false)).Should().BeLessThan(1e-6);
        foreach (var e in episodes)
        {
            e.Dispose();
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void LateFusion_MetaTrainedOnMultimodalTasks_ClassifiesBetterThanBeforeTraining()
    {
        using var model = LateFusionModel(ScalarType.Float32);
        using var maml = new Maml(model, new InnerLoopOptions { Steps = 3, StepSize = 0.3 });
        var before = Evaluator.Evaluate(maml, Tasks, 40, seed: 8);
        using var trainer = new MetaTrainer(maml, new MetaTrainerOptions { Iterations = 150, MetaBatchSize = 8, OuterLearningRate = 0.005, Seed = 1 });

        trainer.Train(Tasks);
        var after = Evaluator.Evaluate(maml, Tasks, 40, seed: 8);

        after.MeanAccuracy.Should().BeGreaterThan(before.MeanAccuracy + 0.1);
        after.MeanAccuracy.Should().BeGreaterThan(0.6, "chance is 1/3");
    }

    [Fact]
    public void MultimodalTaskSampler_OnlyTheInformativeModalitySeparatesClasses()
    {
        var sampler = new MultimodalTaskSampler(new MultimodalTaskOptions { Separation = 10, Shots = 20 });
        using var episode = sampler.Sample(4);
        int informative = sampler.InformativeModality(4);
        using var scope = NewDisposeScope();

        episode.SupportInputs.Should().HaveCount(2);
        double Spread(Tensor x) => x.view(3, 20, -1).mean(new long[] { 1 }).var(0).mean().ToDouble();
        Spread(episode.SupportInputs[informative]).Should().BeGreaterThan(20);
        Spread(episode.SupportInputs[1 - informative]).Should().BeLessThan(1);
        ((Action)(() => _ = new MultimodalTaskOptions { ModalityFeatures = new[] { 3 } })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*at least two modalities*");
    }

    [Fact]
    public void LateFusion_WrongNumberOfModalities_Throws()
    {
        using var model = LateFusionModel(ScalarType.Float32);
        using var scope = NewDisposeScope();

        var act = () => model.Forward(new[] { randn(2, 4) }, model.Parameters, default);

        act.Should().Throw<ArgumentException>().WithMessage("*2 modalities got 1 input*");
        FluentActions.Invoking(() => model.Forward(new[] { randn(2, 4), randn(2, 6), randn(2, 3) }, model.Parameters, default))
            .Should().Throw<ArgumentException>().WithMessage("*missing-modality mask, a floating tensor [N, 2]*");
    }

    private static LateFusion LateFusionModel(ScalarType dtype) => new(new IFunctionalModel[]
    {
        new Mlp(MlpOptions.WithLayers(4, 16, 3) with { Seed = 1, DType = dtype }),
        new Mlp(MlpOptions.WithLayers(6, 16, 3) with { Seed = 2, DType = dtype }),
    });

    private static FeatureFusion FeatureFusionModel(ScalarType dtype) => new(
        new IFunctionalModel[]
        {
            new Mlp(MlpOptions.WithLayers(4, 8) with { Seed = 1, DType = dtype }),
            new Mlp(MlpOptions.WithLayers(6, 8) with { Seed = 2, DType = dtype }),
        },
        MlpOptions.WithLayers(16, 12, 3) with { Seed = 3 });
}
