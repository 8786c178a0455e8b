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
    public void LateFusion_Forward_IsTheWeightedSumOfTheBranches()
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
        var expected = (model.Branches[0].Forward(a) * 0.3) + (model.Branches[1].Forward(b) * -1.7);

        TestEpisodes.MaxRelativeError(TestEpisodes.Flatten(new[] { fused }), TestEpisodes.Flatten(new[] { expected })).Should().BeLessThan(1e-14);
        model.ParameterNames[^1].Should().Be("fusion.weights");
        model.ParameterNames[0].Should().Be("branch0.layer0.weight");
        model.HeadStart.Should().Be(model.Parameters.Count - 1);
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

    [Theory]
    [InlineData("late")]
    [InlineData("feature")]
    public void Maml_OnMultimodalEpisodes_BatchedEqualsPerTask(string kind)
    {
        using var model = kind == "late" ? (IFunctionalModel)LateFusionModel(ScalarType.Float64) : FeatureFusionModel(ScalarType.Float64);
        var episodes = Enumerable.Range(0, 3).Select(Tasks.Sample).ToArray();
        double[] Grads(bool batching)
        {
            using var maml = new Maml(model, new InnerLoopOptions { Steps = 2, StepSize = 0.3, TaskBatching = batching });
            TestEpisodes.ZeroGrads(model.Parameters);
            maml.AccumulateMetaGradient(episodes, 0).TaskBatched.Should().Be(batching);
            return TestEpisodes.Grads(model.Parameters);
        }

        TestEpisodes.MaxRelativeError(Grads(true), Grads(false)).Should().BeLessThan(1e-6);
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
