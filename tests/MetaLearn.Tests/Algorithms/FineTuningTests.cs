using MetaLearn.Algorithms;
using MetaLearn.Datasets;
using MetaLearn.Deployment;
using MetaLearn.Evaluation;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

public sealed class FineTuningTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("metalearn-finetune-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Options_Defaults_AreTheDocumentedOnes()
    {
        var options = new FineTuningOptions();
        options.Head.Should().Be(FineTuningHead.Cosine);
        options.Classes.Should().Be(0);
        options.Features.Should().Be(0);
        options.Steps.Should().Be(100);
        options.StepSize.Should().Be(0.01);
        options.Scale.Should().Be(10);
        options.NormalizeFeatures.Should().BeTrue();
        options.Seed.Should().Be(0);
        options.TaskBatching.Should().BeTrue();
    }

    [Fact]
    public void Options_InvalidValues_AreRefusedNamingTheOption()
    {
        new Action(() => _ = new FineTuningOptions { Head = (FineTuningHead)7 }).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Head");
        new Action(() => _ = new FineTuningOptions { Classes = -1 }).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Classes");
        new Action(() => _ = new FineTuningOptions { Features = -1 }).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Features");
        new Action(() => _ = new FineTuningOptions { Steps = 0 }).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Steps");
        new Action(() => _ = new FineTuningOptions { StepSize = 0 }).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("StepSize");
        new Action(() => _ = new FineTuningOptions { Scale = double.PositiveInfinity }).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Scale");
        using var model = Embedding();
        new Action(() => _ = new FineTuning(model, new FineTuningOptions { Classes = 4 })).Should().Throw<ArgumentException>().WithMessage("*Features*");
    }

    [Fact]
    public void AccumulateMetaGradient_AnEpisodeLabelledWithItsOwnWays_IsRefusedSayingHowToDrawBatches()
    {
        using var model = Embedding();
        using var learner = new FineTuning(model, new FineTuningOptions { Classes = 6, Features = 5 });
        using var episode = TestEpisodes.Gaussian(1, ways: 3, features: 4);

        var act = () => learner.AccumulateMetaGradient(new[] { episode }, 0);

        act.Should().Throw<ArgumentException>().WithMessage("*6 classes*3-way*DatasetLabels = true*CountClasses(dataset)*");
        using var noPretraining = new FineTuning(model);
        var untrained = () => noPretraining.AccumulateMetaGradient(new[] { episode }, 0);
        untrained.Should().Throw<InvalidOperationException>().WithMessage("*Classes is 0*");
        using var wrongWidth = new FineTuning(model, new FineTuningOptions { Classes = 3, Features = 7 });
        var width = () => wrongWidth.AccumulateMetaGradient(new[] { episode }, 0);
        width.Should().Throw<InvalidOperationException>().WithMessage("*outputs 5 features*set Features = 5*");
    }

    /// <summary>
    /// Pre-training on batches labelled with all 8 training classes learns them, and the embedding it learns (which
    /// ignores the 14 noise features), with a classifier fitted per task, classifies held-out classes' episodes better
    /// than the untrained embedding does.
    /// </summary>
    [Theory]
    [InlineData(FineTuningHead.Linear)]
    [InlineData(FineTuningHead.Cosine)]
    public void PreTraining_OverDatasetLabelledBatches_LearnsTheClasses_AndHelpsOnNewClasses(FineTuningHead head)
    {
        using var data = Blobs(classes: 12, perClass: 10, seed: 3);
        using var train = data.WhereGroups(new[] { "train" });
        using var test = data.WhereGroups(new[] { "test" });
        var batches = new EpisodicSampler(train, new EpisodicSamplerOptions { Ways = 4, Shots = 2, Queries = 2, DatasetLabels = true });
        var episodes = new EpisodicSampler(test, new EpisodicSamplerOptions { Ways = 4, Shots = 1, Queries = 4 });
        using var model = new Mlp(new MlpOptions { LayerSizes = new[] { 16, 32, 5 }, Seed = 7, DType = ScalarType.Float64 });
        using var learner = new FineTuning(model, new FineTuningOptions { Head = head, Classes = batches.ClassCount, Features = 5, Seed = 2 });
        double before = Evaluator.Evaluate(learner, episodes, 30, seed: 9).MeanAccuracy;

        using var trainer = new MetaTrainer(learner, new MetaTrainerOptions { Iterations = 150, MetaBatchSize = 2, OuterLearningRate = 0.02, Seed = 1 });
        var result = trainer.Train(batches);

        result.QueryAccuracies.TakeLast(20).Average().Should().BeGreaterThan(0.9, "the classifier over all 8 training classes learns them");
        Evaluator.Evaluate(learner, episodes, 30, seed: 9).MeanAccuracy.Should().BeGreaterThan(before + 0.05);
    }

    [Theory]
    [InlineData(FineTuningHead.Linear)]
    [InlineData(FineTuningHead.Cosine)]
    public void Adapt_FitsTheSupportSet_TheSameWayEveryCall(FineTuningHead head)
    {
        using var model = Embedding();
        using var learner = new FineTuning(model, new FineTuningOptions { Head = head, Steps = 200, StepSize = 0.1 });
        using var episode = TestEpisodes.Gaussian(5, ways: 3, features: 4, shots: 3, queries: 3);

        using var first = learner.Adapt(episode.SupportInputs, episode.SupportTargets);
        using var second = learner.Adapt(episode.SupportInputs, episode.SupportTargets);

        first.PredictClasses(episode.SupportInput).data<long>().ToArray().Should().Equal(episode.SupportTargets.data<long>().ToArray(), "the classifier fits its support set");
        TestEpisodes.Flatten(new[] { second.Predict(episode.QueryInput) }).Should().Equal(TestEpisodes.Flatten(new[] { first.Predict(episode.QueryInput) }));
        first.ExportWeights().Keys.Should().Contain(head == FineTuningHead.Linear ? new[] { "classifier.weight", "classifier.bias" } : new[] { "classifier.weight", "classifier.scale" });
    }

    /// <summary>A cosine classifier starts at the normalised class means: after one tiny step it classifies as nearest normalised mean by cosine.</summary>
    [Fact]
    public void Adapt_CosineHead_StartsAtTheNormalisedClassMeans()
    {
        using var model = Embedding();
        using var learner = new FineTuning(model, new FineTuningOptions { Head = FineTuningHead.Cosine, Steps = 1, StepSize = 1e-9 });
        using var episode = TestEpisodes.Gaussian(6, ways: 3, features: 4, shots: 2, queries: 6);
        using var scope = NewDisposeScope();
        using var adapted = learner.Adapt(episode.SupportInputs, episode.SupportTargets);

        var support = Normalized(model.Forward(episode.SupportInput.to(ScalarType.Float64)).detach());
        var means = stack(Enumerable.Range(0, 3).Select(c => support[episode.SupportTargets.eq(c)].mean(new long[] { 0 })).ToArray());
        var cosine = Normalized(model.Forward(episode.QueryInput.to(ScalarType.Float64)).detach()).matmul(Normalized(means).t());

        adapted.PredictClasses(episode.QueryInput).data<long>().ToArray().Should().Equal(cosine.argmax(1).data<long>().ToArray());
    }

    [Fact]
    public void LearnerFile_AFineTuningLearner_LoadsWithItsOptionsAndClassifier()
    {
        using var model = Embedding();
        using var learner = new FineTuning(model, new FineTuningOptions { Head = FineTuningHead.Linear, Classes = 3, Features = 5, Steps = 30, Seed = 4 });
        using (var episode = TestEpisodes.Gaussian(2, ways: 3, features: 4))
        {
            AdaptationCases.TrainStep(learner, episode);
        }

        string path = Path.Combine(_directory, "finetune.metalearn");
        LearnerFile.Save(learner, path);
        using var loaded = LearnerFile.Load(path);

        loaded.Algorithm.Should().BeOfType<FineTuning>().Which.Options.Should().Be(learner.Options);
        TestEpisodes.Flatten(loaded.Algorithm.MetaParameters).Should().Equal(TestEpisodes.Flatten(learner.MetaParameters));
        using var test = TestEpisodes.Gaussian(8, ways: 3, features: 4);
        using var expected = learner.Adapt(test.SupportInputs, test.SupportTargets);
        using var actual = loaded.Algorithm.Adapt(test.SupportInputs, test.SupportTargets);
        TestEpisodes.Flatten(new[] { actual.Predict(test.QueryInput) }).Should().Equal(TestEpisodes.Flatten(new[] { expected.Predict(test.QueryInput) }));
    }

    /// <summary>An MLP embedding 4 features into 5, float64.</summary>
    private static Mlp Embedding() => new(new MlpOptions { LayerSizes = new[] { 4, 16, 5 }, Seed = 7, DType = ScalarType.Float64 });

    private static Tensor Normalized(Tensor x) => x / x.norm(1, keepdim: true);

    /// <summary>
    /// Gaussian blobs in 2 informative features followed by 14 features of wide noise; the first 8 classes in group
    /// <c>train</c>, the rest in <c>test</c>.
    /// </summary>
    private static LabeledDataset Blobs(int classes, int perClass, int seed)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, classes).Select(_ => Enumerable.Range(0, 2).Select(_ => (random.NextDouble() * 8) - 4).ToArray()).ToArray();
        var rows = new List<double>();
        var labels = new List<int>();
        for (int c = 0; c < classes; c++)
        {
            for (int i = 0; i < perClass; i++)
            {
                rows.AddRange(centres[c].Select(m => m + ((random.NextDouble() - 0.5) * 0.8)));
                rows.AddRange(Enumerable.Range(0, 14).Select(_ => (random.NextDouble() - 0.5) * 8));
                labels.Add(c);
            }
        }

        var examples = tensor(rows.ToArray()).view(-1, 16).to(ScalarType.Float32);
        var named = Enumerable.Range(0, classes).Select(c => new LabeledClass($"c{c}", c < 8 ? "train" : "test")).ToArray();
        return new LabeledDataset(examples, labels, named);
    }
}
