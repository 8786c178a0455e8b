using MetaLearn.Algorithms;
using MetaLearn.Evaluation;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;
using Xunit.Abstractions;

namespace MetaLearn.Tests.Models;

/// <summary>
/// What multimodal learning must show on held-out tasks: complementary modalities fused beat the best single one,
/// a pure-noise modality loses its late-fusion weight, a missing modality degrades accuracy gracefully, and a
/// meta-learned fusion model adapts better than the same model trained from scratch. The models are meta-trained
/// once per test class (<see cref="MultimodalModels"/>).
/// </summary>
public sealed class MultimodalLearningTests(MultimodalModels models, ITestOutputHelper output) : IClassFixture<MultimodalModels>
{
    private const int HeldOutTasks = 40;
    private const int HeldOutSeed = 1234;

    [Fact]
    [Trait("Category", "Slow")]
    public void LateFusion_ComplementaryModalities_BeatsTheBestSingleModalityByTenPoints()
    {
        double single0 = Accuracy(models.Single0, new ModalitySubsetSampler(MultimodalModels.Complete, 0));
        double single1 = Accuracy(models.Single1, new ModalitySubsetSampler(MultimodalModels.Complete, 1));
        double fused = Accuracy(models.Late, MultimodalModels.Complete);
        output.WriteLine($"modality 0 alone {single0:P1}, modality 1 alone {single1:P1}, late fusion {fused:P1} (chance 25%, a single modality at best 50%)");

        fused.Should().BeGreaterThan(Math.Max(single0, single1) + 0.10);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void LateFusion_ModalityMissingForThirtyPercent_StaysAboveTheBestSingleModality()
    {
        double single0 = Accuracy(models.Single0, new ModalitySubsetSampler(MultimodalModels.Complete, 0));
        double single1 = Accuracy(models.Single1, new ModalitySubsetSampler(MultimodalModels.Complete, 1));
        double complete = Accuracy(models.Late, MultimodalModels.Complete);
        double missing = Accuracy(models.LateMissing, MultimodalModels.Missing);
        output.WriteLine($"best single {Math.Max(single0, single1):P1}; late fusion {complete:P1} on complete tasks, {missing:P1} with modality 1 missing for 30% of examples");

        missing.Should().BeGreaterThan(Math.Max(single0, single1) + 0.05);
        missing.Should().BeGreaterThan(0.5, "chance is 25%");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void LateFusion_MetaLearned_AdaptsBetterThanTheSameModelFromScratch()
    {
        double meta = Accuracy(models.Late, MultimodalModels.Complete);
        using var fresh = MultimodalModels.LateFusionModel(seed: 99);
        using var scratch = new Maml(fresh, MultimodalModels.Inner);
        double fromScratch = Evaluator.Evaluate(scratch, MultimodalModels.Complete, HeldOutTasks, HeldOutSeed).MeanAccuracy;
        output.WriteLine($"meta-learned late fusion {meta:P1}; the same model from a random start with the same inner loop {fromScratch:P1}");

        meta.Should().BeGreaterThan(fromScratch + 0.15);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void LateFusion_PureNoiseModality_EndsWithUnderAQuarterOfTheInformativeWeight()
    {
        var tasks = new ComplementaryTaskSampler(new ComplementaryTaskOptions
        {
            Ways = 4,
            Queries = 5,
            Modalities = new[] { ModalityOptions.Informative(8), ModalityOptions.PureNoise(8) },
        });
        using var model = MultimodalModels.LateFusionModel(seed: 5);
        var before = model.ModalityWeights();

        MultimodalModels.Train(model, tasks, iterations: 300);

        var after = model.ModalityWeights();
        output.WriteLine($"weights before [{before[0]:F3}, {before[1]:F3}], after meta-training [{after[0]:F3}, {after[1]:F3}] (informative, noise)");
        before[1].Should().BeApproximately(0.5, 1e-6);
        after[1].Should().BeLessThan(after[0] / 4);
    }

    private static double Accuracy(IFunctionalModel model, ITaskSampler tasks)
    {
        using var maml = new Maml(model, MultimodalModels.Inner);
        return Evaluator.Evaluate(maml, tasks, HeldOutTasks, HeldOutSeed).MeanAccuracy;
    }
}

/// <summary>Models meta-trained once for <see cref="MultimodalLearningTests"/>: each modality alone, and late fusion on complete and on 30%-missing tasks.</summary>
public sealed class MultimodalModels : IDisposable
{
    /// <summary>The inner loop of training and evaluation.</summary>
    public static readonly InnerLoopOptions Inner = new() { Steps = 3, StepSize = 0.3 };

    /// <summary>Two complementary 8-feature modalities, 4 ways: each alone separates only 2 groups of 2 classes.</summary>
    internal static readonly ComplementaryTaskSampler Complete = new(Options(0));

    /// <summary>The same tasks with modality 1 missing for 30% of the examples.</summary>
    internal static readonly ComplementaryTaskSampler Missing = new(Options(0.3));

    /// <summary>Meta-trains the models.</summary>
    public MultimodalModels()
    {
        Single0 = SingleModel(1);
        Single1 = SingleModel(2);
        Late = LateFusionModel(3);
        LateMissing = LateFusionModel(3);
        Train(Single0, new ModalitySubsetSampler(Complete, 0));
        Train(Single1, new ModalitySubsetSampler(Complete, 1));
        Train(Late, Complete);
        Train(LateMissing, Missing);
    }

    /// <summary>An MLP on modality 0 alone.</summary>
    public Mlp Single0 { get; }

    /// <summary>An MLP on modality 1 alone.</summary>
    public Mlp Single1 { get; }

    /// <summary>Late fusion meta-trained on complete tasks.</summary>
    public LateFusion Late { get; }

    /// <summary>Late fusion meta-trained on tasks with modality 1 missing for 30% of examples.</summary>
    public LateFusion LateMissing { get; }

    /// <summary>Late fusion of two 8-16-4 MLP branches.</summary>
    public static LateFusion LateFusionModel(int seed) => new(new IFunctionalModel[]
    {
        new Mlp(MlpOptions.WithLayers(8, 16, 4) with { Seed = seed * 10, DType = TorchSharp.torch.ScalarType.Float32 }),
        new Mlp(MlpOptions.WithLayers(8, 16, 4) with { Seed = (seed * 10) + 1, DType = TorchSharp.torch.ScalarType.Float32 }),
    });

    /// <summary>Meta-trains <paramref name="model"/> with MAML on <paramref name="tasks"/>.</summary>
    public static void Train(IFunctionalModel model, ITaskSampler tasks, int iterations = 100)
    {
        using var maml = new Maml(model, Inner);
        using var trainer = new MetaTrainer(maml, new MetaTrainerOptions { Iterations = iterations, MetaBatchSize = 8, OuterLearningRate = 0.01, Seed = 7 });
        trainer.Train(tasks);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Single0.Dispose();
        Single1.Dispose();
        Late.Dispose();
        LateMissing.Dispose();
    }

    private static Mlp SingleModel(int seed) => new(MlpOptions.WithLayers(8, 16, 4) with { Seed = seed });

    private static ComplementaryTaskOptions Options(double missingRate) => new()
    {
        Ways = 4,
        Queries = 5,
        Modalities = new[] { ModalityOptions.Informative(8), ModalityOptions.Informative(8) with { MissingRate = missingRate } },
    };
}
