using MetaLearn.Algorithms;
using MetaLearn.Deployment;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Tasks;
using MetaLearn.Training;

namespace Snippets;

/// <summary>The "from training to an app" page: a training process that checkpoints and saves, an app that loads and adapts.</summary>
internal static class TrainingToApp
{
    public static void Run(string folder)
    {
        Directory.CreateDirectory(folder);
        try
        {
            string learnerPath = Path.Combine(folder, "model.metalearn");
            Train(Path.Combine(folder, "run.ckpt"), learnerPath);
            Train(Path.Combine(folder, "run.ckpt"), learnerPath);   // resumes from the checkpoint the first call left
            var tasks = TaskSamplers.MakeClassification(new MakeClassificationTaskOptions { Ways = 3, Shots = 5, Queries = 15 });
            using Episode task = tasks.Sample(seed: 2_000_000);
            long[] predicted = App(learnerPath, GettingStarted.ToArray(task.SupportInput), task.SupportTargets.data<long>().ToArray(), GettingStarted.ToArray(task.QueryInput));
            long[] truth = task.QueryTargets.data<long>().ToArray();
            Console.WriteLine($"app: {predicted.Zip(truth).Count(p => p.First == p.Second)} of {truth.Length} rows right");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Train(string checkpointPath, string learnerPath)
    {
        // <train>
        var tasks = TaskSamplers.MakeClassification(new MakeClassificationTaskOptions { Ways = 3, Shots = 5, Queries = 15 });
        using var model = new Mlp(new MlpOptions { LayerSizes = [20, 64, 64, 3], Seed = 0 });
        using var maml = new Maml(model, new InnerLoopOptions { Steps = 5, StepSize = 0.1 });
        var options = new MetaTrainerOptions
        {
            Iterations = 100,                 // meta-iterations per Train call
            MetaBatchSize = 16,
            Seed = 0,                         // the same seed, the same training
            ValidationInterval = 25,          // every 25 meta-iterations, score 100 validation tasks ...
            ValidationEpisodes = 100,         // ... and after training put back the best (RestoreBestParameters)
            Checkpoint = new CheckpointOptions(checkpointPath) { Interval = TimeSpan.FromMinutes(1) },
        };
        using var trainer = new MetaTrainer(maml, options);
        if (File.Exists(checkpointPath))
        {
            trainer.LoadCheckpoint(checkpointPath);   // continue an interrupted training exactly
        }

        trainer.Train(tasks, validation: tasks);
        LearnerFile.Save(maml, learnerPath, metadata: new Dictionary<string, string> { ["features"] = "20" });
        // </train>
    }

    private static long[] App(string learnerPath, float[,] labelledRows, long[] labels, float[,] newRows)
    {
        // <app>
        // In the app (another process): load the file once, adapt to each user's labelled rows, predict.
        using Learner loaded = LearnerFile.Load(learnerPath);
        using AdaptedModel adapted = loaded.Algorithm.Adapt(labelledRows, labels, new AdaptationOptions { Steps = 10 });
        long[] predicted = adapted.PredictClasses(newRows);
        // </app>
        return predicted;
    }

    /// <summary>Compiled, not run: the batch-norm modes are chosen on the model.</summary>
    internal static Conv4 BatchNormModel()
    {
        // <batch-norm>
        // Conv4 for 5-way 28x28 images whose batch norm keeps PyTorch's running statistics.
        return new Conv4(new Conv4Options { Ways = 5, BatchNormStatistics = BatchNormStatistics.Running });
        // </batch-norm>
    }
}
