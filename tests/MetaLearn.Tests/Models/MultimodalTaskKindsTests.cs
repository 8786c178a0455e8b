using MetaLearn.Algorithms;
using MetaLearn.Clustering;
using MetaLearn.Evaluation;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;
using Xunit.Abstractions;

namespace MetaLearn.Tests.Models;

/// <summary>Multimodal regression and clustering: a meta-learned fusion model beats the same model from scratch on held-out tasks.</summary>
public sealed class MultimodalTaskKindsTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Slow")]
    public void LateFusion_MultimodalRegression_MetaLearnedBeatsFromScratch()
    {
        var tasks = new MultimodalRegressionTaskSampler();
        var inner = new InnerLoopOptions { Steps = 3, StepSize = 0.02 };
        using var model = Regressor(seed: 1);
        using var maml = new Maml(model, inner);
        using (var trainer = new MetaTrainer(maml, new MetaTrainerOptions { Iterations = 300, MetaBatchSize = 8, OuterLearningRate = 0.005, Seed = 3 }))
        {
            trainer.Train(tasks);
        }

        using var fresh = Regressor(seed: 2);
        using var scratch = new Maml(fresh, inner);
        var meta = Evaluator.Evaluate(maml, tasks, 40, seed: 77);
        var fromScratch = Evaluator.Evaluate(scratch, tasks, 40, seed: 77);
        output.WriteLine($"query MSE: meta-learned {meta.MeanLoss:F3} ± {meta.LossConfidence95:F3}, from scratch {fromScratch.MeanLoss:F3} ± {fromScratch.LossConfidence95:F3}");

        meta.MeanLoss.Should().BeLessThan(0.7 * fromScratch.MeanLoss);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void FeatureFusion_MultimodalClustering_MetaLearnedEmbeddingBeatsFromScratch()
    {
        // A loud pure-noise modality hides the clusters from k-means on the raw inputs; the fused embedding can learn to ignore it.
        var tasks = new ComplementaryTaskSampler(new ComplementaryTaskOptions
        {
            Ways = 4,
            Queries = 10,
            StructureSeed = 2,
            Modalities = new[] { ModalityOptions.Informative(8), ModalityOptions.Informative(8), ModalityOptions.PureNoise(16) with { NoiseStd = 3 } },
        });
        using var embedding = Embedding(seed: 1);
        using var protoNets = new PrototypicalNetworks(embedding);
        using (var trainer = new MetaTrainer(protoNets, new MetaTrainerOptions { Iterations = 100, MetaBatchSize = 8, OuterLearningRate = 0.01, Seed = 3 }))
        {
            trainer.Train(tasks);
        }

        using var fresh = Embedding(seed: 2);
        var learned = MetaClustering.Evaluate(embedding, tasks, 30, seed: 99);
        var fromScratch = MetaClustering.Evaluate(fresh, tasks, 30, seed: 99);
        var raw = MetaClustering.Evaluate(null, tasks, 30, seed: 99);
        output.WriteLine($"meta-learned fused embedding: {learned}; untrained: {fromScratch}; raw concatenated inputs: {raw}");

        learned.MeanAdjustedRandIndex.Should().BeGreaterThan(fromScratch.MeanAdjustedRandIndex + 0.15);
        learned.MeanNormalizedMutualInformation.Should().BeGreaterThan(fromScratch.MeanNormalizedMutualInformation + 0.1);
        learned.MeanAdjustedRandIndex.Should().BeGreaterThan(raw.MeanAdjustedRandIndex + 0.15);
    }

    private static LateFusion Regressor(int seed) => new(new IFunctionalModel[]
    {
        new Mlp(MlpOptions.WithLayers(4, 32, 32, 1) with { Seed = seed * 10, DType = TorchSharp.torch.ScalarType.Float32 }),
        new Mlp(MlpOptions.WithLayers(4, 32, 32, 1) with { Seed = (seed * 10) + 1, DType = TorchSharp.torch.ScalarType.Float32 }),
    });

    private static FeatureFusion Embedding(int seed) => new(
        new IFunctionalModel[]
        {
            new Mlp(MlpOptions.WithLayers(8, 32, 16) with { Seed = seed * 10 }),
            new Mlp(MlpOptions.WithLayers(8, 32, 16) with { Seed = (seed * 10) + 1 }),
            new Mlp(MlpOptions.WithLayers(16, 32, 16) with { Seed = (seed * 10) + 2 }),
        },
        MlpOptions.WithLayers(48, 16) with { Seed = (seed * 10) + 3 });
}
