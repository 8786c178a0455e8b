// <usings>
using MetaLearn.Algorithms;
using MetaLearn.Evaluation;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Tasks;
using MetaLearn.Training;
using static TorchSharp.torch;
// </usings>

namespace Snippets;

/// <summary>The getting-started page: a few-shot task, meta-training, adaptation to a new task, predictions.</summary>
internal static class GettingStarted
{
    public static void Run()
    {
        // <train>
        // Tasks: 3-way 5-shot classification; every task is a fresh make_classification data set of 20 features.
        var tasks = TaskSamplers.MakeClassification(new MakeClassificationTaskOptions { Ways = 3, Shots = 5, Queries = 15 });

        // The model (MLP 20-64-64-3) and the algorithm that meta-learns its initialisation: MAML, 5 inner steps of 0.1.
        using var model = new Mlp(new MlpOptions { LayerSizes = [20, 64, 64, 3], Seed = 0 });
        using var maml = new Maml(model, new InnerLoopOptions { Steps = 5, StepSize = 0.1 });

        // Meta-training: 500 meta-iterations of 16 tasks each, Adam on the initialisation.
        using var trainer = new MetaTrainer(maml, new MetaTrainerOptions { Iterations = 500, MetaBatchSize = 16, Seed = 0 });
        trainer.Train(tasks);

        // Accuracy on 200 tasks drawn with another seed: adapt to each support set, predict its query set.
        EvaluationResult result = trainer.Evaluate(tasks, episodes: 200, seed: 1);
        Console.WriteLine(result);
        // </train>

        // The same evaluation of the same algorithm from the untrained initialisation, beside it.
        using (var untrainedModel = new Mlp(new MlpOptions { LayerSizes = [20, 64, 64, 3], Seed = 0 }))
        using (var untrained = new Maml(untrainedModel, new InnerLoopOptions { Steps = 5, StepSize = 0.1 }))
        {
            Console.WriteLine($"untrained: {Evaluator.Evaluate(untrained, tasks, episodes: 200, seed: 1)}");
        }

        // <adapt>
        // A new task: labelled rows (the support set) and rows to classify, here from the sampler.
        using Episode task = tasks.Sample(seed: 2_000_000);
        float[,] labelledRows = ToArray(task.SupportInput);
        long[] labels = task.SupportTargets.data<long>().ToArray();
        float[,] newRows = ToArray(task.QueryInput);

        // Adapt once (5 steps on the support set), then predict any number of rows; maml is not changed.
        using AdaptedModel adapted = maml.Adapt(labelledRows, labels);
        long[] predicted = adapted.PredictClasses(newRows);
        float[,] probabilities = adapted.PredictProbabilities(newRows);
        // </adapt>

        long[] truth = task.QueryTargets.data<long>().ToArray();
        double accuracy = predicted.Zip(truth).Count(p => p.First == p.Second) / (double)truth.Length;
        Console.WriteLine($"one new task: accuracy {accuracy:F3} over {truth.Length} rows, first row's probabilities " +
            $"{probabilities[0, 0]:F3} {probabilities[0, 1]:F3} {probabilities[0, 2]:F3}");
    }

    /// <summary>Copies a [rows, features] float32 tensor into an array.</summary>
    internal static float[,] ToArray(Tensor rows)
    {
        var values = rows.data<float>().ToArray();
        int n = (int)rows.shape[0];
        int d = (int)rows.shape[1];
        var result = new float[n, d];
        Buffer.BlockCopy(values, 0, result, 0, values.Length * sizeof(float));
        return result;
    }
}
