using System.Diagnostics;
using System.Globalization;
using MetaLearn.Algorithms;
using MetaLearn.Datasets;
using MetaLearn.Evaluation;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Tasks;
using MetaLearn.Training;

namespace Snippets;

/// <summary>
/// The algorithm page's table: every algorithm of <see cref="MetaAlgorithms.Names"/> meta-trained the same way on the
/// getting-started tasks, scored on the same 200 new tasks beside the same algorithm from the untrained initialisation
/// and a logistic regression fitted on each support set.
/// </summary>
internal static class ChoosingAnAlgorithm
{
    private const int Features = 20;
    private const int Ways = 3;

    public static void Run(string[] names)
    {
        var tasks = TaskSamplers.MakeClassification(new MakeClassificationTaskOptions { Ways = Ways, Shots = 5, Queries = 15 });
        double logistic = Episodes(tasks).Average(e =>
        {
            using (e)
            {
                return Baselines.LogisticRegression(e);
            }
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"logistic regression on each support set: {logistic:F3}"));
        foreach (string name in names.Length > 0 ? names : MetaAlgorithms.Names)
        {
            var clock = Stopwatch.StartNew();
            EvaluationResult trained = Evaluate(name, tasks, iterations: 300);
            double seconds = clock.Elapsed.TotalSeconds;
            EvaluationResult untrained = Evaluate(name, tasks, iterations: 0);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: meta-trained {trained.MeanAccuracy:F3} ± {trained.AccuracyConfidence95:F3}, untrained {untrained.MeanAccuracy:F3} ± {untrained.AccuracyConfidence95:F3} ({seconds:F0} s)"));
        }
    }

    /// <summary>The same 200 evaluation tasks every time, drawn anew (the evaluator disposes what it scores).</summary>
    private static IEnumerable<Episode> Episodes(ITaskSampler tasks) => Enumerable.Range(0, 200).Select(i => tasks.Sample(1_000_000 + i));

    private static EvaluationResult Evaluate(string name, ITaskSampler tasks, int iterations)
    {
        // <by-name>
        // Each algorithm keeps its own defaults except what the overrides set: here 5 inner steps of 0.1 on the support
        // set for those that take inner steps (ProtoNets and R2D2 take none and refuse step settings).
        MetaAlgorithmOverrides? inner = MetaAlgorithms.HasInnerSteps(name) ? new() { Steps = 5, StepSize = 0.1 } : null;
        using IFunctionalModel model = name switch
        {
            // ProtoNets and R2D2 learn an embedding (no classification head): MLP 20-64-64.
            "protonet" or "r2d2" => new Mlp(new MlpOptions { LayerSizes = [Features, 64, 64], Seed = 0 }),
            // CAVIA appends its context parameters (5 by default) to every input.
            "cavia" => new Mlp(new MlpOptions { LayerSizes = [Features + new CaviaOptions().ContextSize, 64, 64, Ways], Seed = 0 }),
            _ => new Mlp(new MlpOptions { LayerSizes = [Features, 64, 64, Ways], Seed = 0 }),
        };
        using IMetaAlgorithm algorithm = MetaAlgorithms.Create(name, model, inner);
        // </by-name>
        if (iterations > 0)
        {
            using var trainer = new MetaTrainer(algorithm, new MetaTrainerOptions { Iterations = iterations, MetaBatchSize = 16, Seed = 0 });
            trainer.Train(tasks);
        }

        return Evaluator.Evaluate(algorithm, Episodes(tasks));
    }

    /// <summary>The fine-tuning baseline over an embedding network (compiled, not run: it needs a labelled data set).</summary>
    internal static IMetaAlgorithm FineTuningBaseline(LabeledDataset trainingSet, EpisodicSamplerOptions batchOptions)
    {
        // <fine-tuning>
        // Pre-training batches, TaskSamplers.Episodes(trainingSet, batchOptions) with batchOptions.DatasetLabels = true, are
        // labelled with the data set's classes, batchOptions.CountClasses(trainingSet) of them (rotated classes included);
        // the model is an embedding network, here Conv4 without a head (64 features for 28x28 images).
        var embedding = new Conv4(new Conv4Options { Ways = 0 });
        var baseline = new FineTuning(embedding, new FineTuningOptions
        {
            Head = FineTuningHead.Cosine,
            Classes = batchOptions.CountClasses(trainingSet),
            Features = 64,
        });
        // </fine-tuning>
        return baseline;
    }
}
