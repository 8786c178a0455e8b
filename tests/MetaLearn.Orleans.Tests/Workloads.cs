using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;

namespace MetaLearn.Distributed.Tests;

/// <summary>
/// The small trainings the distributed tests run: make_classification tasks (20 features, 3 ways, 5 shots) on an MLP,
/// with each algorithm run per episode (TaskBatching = false), the decomposition the workers compute.
/// </summary>
internal static class Workloads
{
    public const int MetaBatchSize = 4;

    public static ITaskSampler Sampler() => TaskSamplers.MakeClassification();

    /// <summary>A new model and algorithm: maml (second order), protonet, reptile (its own interpolation update).</summary>
    public static (IFunctionalModel Model, IMetaAlgorithm Algorithm) Create(string algorithm)
    {
        var model = new Mlp(new MlpOptions { LayerSizes = algorithm == "protonet" ? new[] { 20, 16, 8 } : new[] { 20, 16, 3 }, Seed = 3 });
        IMetaAlgorithm learner = algorithm switch
        {
            "maml" => new Maml(model, new InnerLoopOptions { Steps = 2, StepSize = 0.1, TaskBatching = false }),
            "protonet" => new PrototypicalNetworks(model, taskBatching: false),
            "reptile" => new Reptile(model, new ReptileOptions { Steps = 3, StepSize = 0.1, OuterStepSize = 0.5, TaskBatching = false }),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "maml, protonet or reptile"),
        };
        return (model, learner);
    }

    public static MetaTrainerOptions Training(int iterations, IMetaBatchExecutor? executor = null) => new()
    {
        Iterations = iterations,
        MetaBatchSize = MetaBatchSize,
        OuterLearningRate = 0.01,
        Seed = 11,
        ProgressInterval = 1,
        MetaBatchExecutor = executor,
    };

    /// <summary>Trains a new <paramref name="algorithm"/> for <paramref name="iterations"/> and returns its meta-parameters.</summary>
    public static float[][] Train(string algorithm, int iterations, ITaskSampler sampler, IMetaBatchExecutor? executor = null, IProgress<TrainingProgress>? progress = null)
    {
        var (model, learner) = Create(algorithm);
        using (model)
        using (learner)
        {
            using var trainer = new MetaTrainer(learner, Training(iterations, executor));
            trainer.Train(sampler, progress: progress);
            return learner.MetaParameters.Select(p => p.detach().cpu().data<float>().ToArray()).ToArray();
        }
    }

    /// <summary>The largest |a - b| of a tensor relative to the largest |b| of that tensor, over all tensors.</summary>
    public static double MaxRelativeDifference(float[][] actual, float[][] expected)
    {
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double scale = expected[i].Max(v => Math.Abs((double)v));
            double difference = expected[i].Zip(actual[i], (e, a) => Math.Abs((double)a - e)).Max();
            worst = Math.Max(worst, difference / Math.Max(scale, 1e-12));
        }

        return worst;
    }
}
