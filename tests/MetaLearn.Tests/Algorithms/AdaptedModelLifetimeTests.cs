using MetaLearn.Algorithms;
using MetaLearn.Deployment;
using MetaLearn.Models;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

/// <summary>
/// An adapted model stays valid until it is disposed: disposing the learner, the algorithm and the model it came from
/// leaves its predictions as they were, and their memory is freed when the adapted model is disposed too.
/// </summary>
public sealed class AdaptedModelLifetimeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("metalearn-lifetime-").FullName;

    public static TheoryData<string, string> Cases() => AdaptationCases.All();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Predict_AfterTheAlgorithmAndModelAreDisposed_GivesTheSameProbabilities(string algorithm, string kind)
    {
        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var episode = AdaptationCases.Episode(kind, seed: 3))
        {
            var model = AdaptationCases.Model(algorithm, kind);
            var learner = AdaptationCases.Learner(algorithm, model);
            var adapted = learner.Adapt(episode.SupportInputs, episode.SupportTargets);
            var before = Probabilities(adapted, episode.QueryInput);

            learner.Dispose();
            model.Dispose();

            Probabilities(adapted, episode.QueryInput).Should().Equal(before);
            adapted.Dispose();
        }

        if (kind != "backbone")
        {
            // Not for the backbone: its test module (TorchSharp Conv2d and BatchNorm2d layers) leaves 2 tensor wrappers
            // per instance after Dispose, measured without any MetaLearn code involved.
            DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(live, "the model's tensors are freed once its owner and its last adapted model are done");
        }
    }

    [Theory]
    [InlineData("maml")]
    [InlineData("metasgd")]
    [InlineData("anil")]
    [InlineData("protonet")]
    [InlineData("r2d2")]
    public void Predict_AfterTheLearnerIsDisposed_GivesTheSameProbabilities(string algorithm)
    {
        // A batch-norm Conv4 normalising with the support set's statistics: the adapted model keeps them.
        const string Kind = "conv4-support";
        string path = Path.Combine(_directory, algorithm + ".metalearn");
        using var episode = AdaptationCases.Episode(Kind, seed: 5);
        using (var model = AdaptationCases.Model(algorithm, Kind))
        using (var trained = AdaptationCases.Learner(algorithm, model))
        {
            AdaptationCases.TrainStep(trained, episode);
            LearnerFile.Save(trained, path);
        }

        var learner = LearnerFile.Load(path);
        var adapted = learner.Algorithm.Adapt(episode.SupportInputs, episode.SupportTargets);
        var before = Probabilities(adapted, episode.QueryInput);
        learner.Dispose();

        Probabilities(adapted, episode.QueryInput).Should().Equal(before);
        adapted.Dispose();
    }

    [Fact]
    public void Predict_ALoadedFusionAfterTheLearnerIsDisposed_GivesTheSameValues()
    {
        string path = Path.Combine(_directory, "fusion.metalearn");
        using var episode = TestEpisodes.Gaussian(4, ways: 3, features: 4);
        var inputs = new[] { episode.QueryInput, episode.QueryInput.neg() };
        using (var model = new LateFusion(new IFunctionalModel[] { TestEpisodes.TinyClassifier(seed: 1), TestEpisodes.TinyClassifier(seed: 2) }, ownsModels: true))
        using (var maml = new Maml(model, new InnerLoopOptions { Steps = 2, StepSize = 0.1 }))
        {
            LearnerFile.Save(maml, path);
        }

        var learner = LearnerFile.Load(path);
        using var adapted = learner.Algorithm.Adapt(new[] { episode.SupportInput, episode.SupportInput.neg() }, episode.SupportTargets);
        using var before = adapted.Predict(inputs);
        learner.Dispose();

        using var after = adapted.Predict(inputs);
        TestEpisodes.Flatten(new[] { after }).Should().Equal(TestEpisodes.Flatten(new[] { before }));
        FluentActions.Invoking(() => learner.Model.Forward(inputs, learner.Model.Parameters, default))
            .Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be(typeof(LateFusion).FullName);
    }

    [Fact]
    public void Dispose_ManyAdaptedModelsOfOneModel_FreesTheModelAfterTheLast()
    {
        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var episode = TestEpisodes.Gaussian(6, ways: 3, features: 4);
        var model = TestEpisodes.TinyClassifier();
        var maml = new Maml(model, new InnerLoopOptions { Steps = 1, StepSize = 0.1 });
        var first = maml.Adapt(episode.SupportInputs, episode.SupportTargets);
        var second = maml.Adapt(episode.SupportInputs, episode.SupportTargets);
        maml.Dispose();
        model.Dispose();
        long afterOwner = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        first.Dispose();
        using (var stillRuns = second.Predict(episode.QueryInput))
        {
            stillRuns.shape.Should().Equal(episode.QueryInput.shape[0], 3L);
        }

        second.Dispose();
        episode.Dispose();

        afterOwner.Should().BeGreaterThan(live + model.Parameters.Count, "the adapted models hold the model's parameters and their own weights");
        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(live);
    }

    [Fact]
    public void Dispose_Twice_IsHarmlessAndLaterUseThrowsNamingTheType()
    {
        using var episode = TestEpisodes.Gaussian(7, ways: 3, features: 4);
        using var model = TestEpisodes.TinyClassifier();
        using var maml = new Maml(model, new InnerLoopOptions { Steps = 1, StepSize = 0.1 });
        var adapted = maml.Adapt(episode.SupportInputs, episode.SupportTargets);

        adapted.Dispose();
        adapted.Dispose();

        foreach (var use in new Action[] { () => adapted.Predict(episode.QueryInput), () => adapted.PredictClasses(new float[1, 4]), () => _ = adapted.Weights, () => adapted.ExportWeights() })
        {
            FluentActions.Invoking(use).Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be(typeof(AdaptedModel).FullName);
        }
    }

    [Theory]
    [InlineData("maml")]
    [InlineData("reptile")]
    [InlineData("protonet")]
    [InlineData("r2d2")]
    [InlineData("finetune")]
    public void Algorithm_UsedAfterDispose_ThrowsNamingItsType(string name)
    {
        using var episode = TestEpisodes.Gaussian(8, ways: 3, features: 4);
        using var model = AdaptationCases.Embedding.Contains(name) ? new Mlp(MlpOptions.WithLayers(4, 8) with { DType = ScalarType.Float64 }) : TestEpisodes.TinyClassifier();
        var algorithm = name == "finetune"
            ? new FineTuning(model, new FineTuningOptions { Classes = 3, Features = 8, Steps = 5 })
            : TestAlgorithms.Create(name, model, steps: 1, stepSize: 0.1);

        algorithm.Dispose();
        algorithm.Dispose();

        foreach (var use in new Action[]
        {
            () => algorithm.Adapt(episode.SupportInputs, episode.SupportTargets),
            () => algorithm.AccumulateMetaGradient(new[] { episode }, 0),
            () => algorithm.PredictQuery(episode),
        })
        {
            FluentActions.Invoking(use).Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be(algorithm.GetType().FullName);
        }

        using var scope = NewDisposeScope();
        model.Forward(new[] { episode.SupportInput.to(ScalarType.Float64) }, model.Parameters, default).shape[0]
            .Should().Be(episode.SupportInput.shape[0], "the algorithm does not own its model");
    }

    [Fact]
    public void Adapt_WithADisposedModel_ThrowsNamingTheModel()
    {
        using var episode = TestEpisodes.Gaussian(9, ways: 3, features: 4);
        var model = TestEpisodes.TinyClassifier();
        using var maml = new Maml(model, new InnerLoopOptions { Steps = 1, StepSize = 0.1 });
        model.Dispose();

        FluentActions.Invoking(() => maml.Adapt(episode.SupportInputs, episode.SupportTargets))
            .Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be(typeof(Mlp).FullName);
    }

    private static double[] Probabilities(AdaptedModel adapted, Tensor rows)
    {
        using var scope = NewDisposeScope();
        return adapted.PredictProbabilities(rows).to(ScalarType.Float64).cpu().data<double>().ToArray();
    }
}
