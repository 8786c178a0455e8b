using System.CommandLine;
using System.Diagnostics;
using MetaLearn.Algorithms;
using MetaLearn.Evaluation;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace MetaClassification;

/// <summary>
/// The <c>train</c> command: meta-trains on make_classification tasks (WORKLOADS.md "makeclass-maml"), then compares,
/// on the same fresh tasks, the meta-learned initialisation adapted with the inner loop against a freshly initialised
/// network trained on each task's support set with the same inner loop (and, as a stronger baseline, with more steps).
/// </summary>
internal static class TrainCommand
{
    private static readonly int[] LayerSizes = { 20, 64, 64, 3 };
    private const int InnerSteps = 5;
    private const double InnerStepSize = 0.1;
    private const int MetaBatchSize = 16;
    private const double OuterLearningRate = 1e-3;

    // Seed streams under --seed: 0 and 1 are the trainer's (training and validation episodes).
    private const long EvaluationStream = 2;
    private const long ScratchInitStream = 3;

    public static Command Create()
    {
        var iterations = new Option<int>("--iterations") { Description = "Meta-iterations (meta-batches of 16 tasks).", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "Root seed of the model, the training tasks, the evaluation tasks and the from-scratch initialisations.", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads (torch.set_num_threads).", DefaultValueFactory = _ => 2 };
        var algorithm = new Option<string>("--algorithm") { Description = "maml | fomaml | metasgd | anil | reptile", DefaultValueFactory = _ => "maml" };
        algorithm.AcceptOnlyFromAmong("maml", "fomaml", "metasgd", "anil", "reptile");
        var evalTasks = new Option<int>("--eval-tasks") { Description = "Fresh tasks both methods are compared on (at least 2).", DefaultValueFactory = _ => 200 };
        var scratchSteps = new Option<int>("--scratch-steps") { Description = "SGD steps (lr 0.1) of the stronger from-scratch baseline.", DefaultValueFactory = _ => 100 };

        var command = new Command("train", "Meta-train on make_classification tasks (makeclass-maml) and compare with training from scratch on fresh tasks.")
        {
            iterations, seed, threads, algorithm, evalTasks, scratchSteps,
        };
        command.SetAction(parse => Run(
            parse.GetValue(iterations), parse.GetValue(seed), parse.GetValue(threads), parse.GetValue(algorithm)!, parse.GetValue(evalTasks), parse.GetValue(scratchSteps)));
        return command;
    }

    private static int Run(int iterations, int seed, int threads, string name, int evalTasks, int scratchSteps)
    {
        string? problem = iterations < 1 ? $"--iterations must be at least 1 (got {iterations})."
            : threads < 1 ? $"--threads must be at least 1 (got {threads})."
            : evalTasks < 2 ? $"--eval-tasks must be at least 2 for a confidence interval (got {evalTasks})."
            : scratchSteps < 1 ? $"--scratch-steps must be at least 1 (got {scratchSteps})."
            : null;
        if (problem is not null)
        {
            Console.Error.WriteLine($"error: {problem}");
            return 2;
        }

        set_num_threads(threads);
        var sampler = new MakeClassificationTaskSampler(MakeClassificationTaskOptions.Workload);
        var inner = new InnerLoopOptions { Steps = InnerSteps, StepSize = InnerStepSize };
        using var model = new Mlp(new MlpOptions { LayerSizes = LayerSizes, Seed = seed });
        using var learner = MetaAlgorithms.Create(name, model, inner);
        using var trainer = new MetaTrainer(learner, new MetaTrainerOptions
        {
            Iterations = iterations,
            MetaBatchSize = MetaBatchSize,
            OuterLearningRate = OuterLearningRate,
            Seed = seed,
            ProgressInterval = Math.Max(1, iterations / 100),
        });

        var clock = Stopwatch.StartNew();
        TrainingResult training = null!;
        Comparison comparison = null!;
        double trainSeconds = 0;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var trainTask = ctx.AddTask($"{learner.Name} meta-training", maxValue: iterations);
                var evalTask = ctx.AddTask("evaluation", autoStart: false, maxValue: evalTasks);
                training = trainer.Train(sampler, progress: new SynchronousProgress<TrainingProgress>(p =>
                {
                    trainTask.Value = p.Iteration;
                    trainTask.Description = $"{learner.Name} loss {p.QueryLoss:F3} acc {p.QueryAccuracy:P0}";
                }));
                trainSeconds = clock.Elapsed.TotalSeconds;
                evalTask.StartTask();
                comparison = Compare(learner, sampler, evalTasks, seed, scratchSteps, () => evalTask.Increment(1));
            });
        double evalSeconds = clock.Elapsed.TotalSeconds - trainSeconds;

        AnsiConsole.MarkupLine($"[grey]{learner.Name}: {training.Iterations} meta-iterations in {trainSeconds:F1} s " +
            $"(median {training.MedianIterationMilliseconds:F2} ms each), last meta-batch query loss {training.QueryLosses[^1]:F4}; " +
            $"evaluation of {evalTasks} fresh tasks in {evalSeconds:F1} s[/]");
        var table = new Table().AddColumns("method", "query accuracy (95% CI)");
        table.AddRow(Markup.Escape($"meta-learned init + {Adaptation(learner.Name)} [{learner.Name}]"), Format(comparison.Meta));
        table.AddRow($"from scratch + {InnerSteps} SGD steps (lr {InnerStepSize})", Format(comparison.Scratch));
        table.AddRow($"from scratch + {scratchSteps} SGD steps (lr {InnerStepSize})", Format(comparison.ScratchLong));
        table.AddRow(Markup.Escape($"meta − scratch ({InnerSteps} steps), paired"), Format(comparison.MetaMinusScratch));
        table.AddRow(Markup.Escape($"meta − scratch ({scratchSteps} steps), paired"), Format(comparison.MetaMinusScratchLong));
        AnsiConsole.Write(table);
        Console.WriteLine(FormattableString.Invariant(
            $"meta_accuracy={comparison.Meta.Mean:F4} scratch_accuracy={comparison.Scratch.Mean:F4} scratch_long_accuracy={comparison.ScratchLong.Mean:F4} scratch_steps={scratchSteps}"));
        return 0;
    }

    /// <summary>Scores the meta-learner and both from-scratch baselines on the same <paramref name="tasks"/> fresh episodes.</summary>
    private static Comparison Compare(IMetaAlgorithm learner, ITaskSampler sampler, int tasks, int seed, int scratchSteps, Action done)
    {
        int evaluationRoot = Seeds.Derive(seed, EvaluationStream, 0);
        var meta = new List<double>();
        var scratch = new List<double>();
        var scratchLong = new List<double>();
        for (int i = 0; i < tasks; i++)
        {
            using var episode = sampler.Sample(Seeds.Derive(evaluationRoot, 0, i));
            meta.Add(Evaluator.Score(learner, episode).Accuracy);

            // From scratch: an untrained network (its own seeded initialisation per task) adapted by MAML's inner
            // loop is plain SGD on the support set from a random start.
            using var fresh = new Mlp(new MlpOptions { LayerSizes = LayerSizes, Seed = Seeds.Derive(seed, ScratchInitStream, i) });
            using (var shortRun = new Maml(fresh, new InnerLoopOptions { Steps = InnerSteps, StepSize = InnerStepSize }))
            {
                scratch.Add(Evaluator.Score(shortRun, episode).Accuracy);
            }

            using (var longRun = new Maml(fresh, new InnerLoopOptions { Steps = scratchSteps, StepSize = InnerStepSize }))
            {
                scratchLong.Add(Evaluator.Score(longRun, episode).Accuracy);
            }

            done();
        }

        return new Comparison(
            Evaluator.MeanWithConfidence(meta),
            Evaluator.MeanWithConfidence(scratch),
            Evaluator.MeanWithConfidence(scratchLong),
            Evaluator.MeanWithConfidence(meta.Zip(scratch, (m, s) => m - s).ToArray()),
            Evaluator.MeanWithConfidence(meta.Zip(scratchLong, (m, s) => m - s).ToArray()));
    }

    private static string Adaptation(string name) => name switch
    {
        "metasgd" => $"{InnerSteps} SGD steps (learned per-parameter step sizes, started at {InnerStepSize})",
        "anil" => $"{InnerSteps} SGD steps of the head only (lr {InnerStepSize})",
        _ => $"{InnerSteps} SGD steps (lr {InnerStepSize})",
    };

    private static string Format((double Mean, double HalfWidth) value) =>
        Markup.Escape($"{value.Mean:P2} ± {value.HalfWidth:P2}");

    private sealed record Comparison(
        (double Mean, double HalfWidth) Meta,
        (double Mean, double HalfWidth) Scratch,
        (double Mean, double HalfWidth) ScratchLong,
        (double Mean, double HalfWidth) MetaMinusScratch,
        (double Mean, double HalfWidth) MetaMinusScratchLong);

}
