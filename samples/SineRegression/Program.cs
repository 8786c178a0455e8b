// Meta-trains a sinusoid regressor (Finn et al. 2017: 25 tasks per meta-batch, K=10) and reports the 1-step query MSE on fresh tasks.
using System.CommandLine;
using MetaLearn.Algorithms;
using MetaLearn.Evaluation;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;
using Spectre.Console;
using static TorchSharp.torch;

var iterations = new Option<int>("--iterations") { Description = "Meta-iterations.", DefaultValueFactory = _ => 3000 };
var seed = new Option<int>("--seed") { Description = "Seed of the model and the tasks.", DefaultValueFactory = _ => 0 };
var threads = new Option<int>("--threads") { Description = "Intra-op threads.", DefaultValueFactory = _ => 2 };
var firstOrder = new Option<bool>("--first-order") { Description = "First-order MAML (no gradients through the inner step)." };
var algorithm = new Option<string>("--algorithm") { Description = "maml | metasgd | anil | reptile", DefaultValueFactory = _ => "maml" };
algorithm.AcceptOnlyFromAmong("maml", "metasgd", "anil", "reptile");
var root = new RootCommand("Meta-trains on sinusoid regression tasks (Finn et al. 2017) and prints mse=<mean 1-step query MSE over 200 fresh K=10 tasks>.")
{
    iterations, seed, threads, firstOrder, algorithm,
};
root.SetAction(parse => Run(parse.GetValue(iterations), parse.GetValue(seed), parse.GetValue(threads), parse.GetValue(firstOrder), parse.GetValue(algorithm)!));
return root.Parse(args).Invoke();

static int Run(int iterations, int seed, int threads, bool firstOrder, string name)
{
    if (iterations < 1 || threads < 1)
    {
        Console.Error.WriteLine("--iterations and --threads must be at least 1.");
        return 2;
    }

    set_num_threads(threads);
    using var model = new Mlp(new MlpOptions { LayerSizes = new[] { 1, 40, 40, 1 }, Seed = seed });
    var inner = name == "reptile"
        ? new InnerLoopOptions { Steps = 5, StepSize = 0.01 }
        : new InnerLoopOptions { Steps = 1, StepSize = 0.01, FirstOrder = firstOrder };
    using var learner = MetaAlgorithms.Create(firstOrder && name == "maml" ? "fomaml" : name, model, inner);
    var sampler = new SinusoidTaskSampler();
    using var trainer = new MetaTrainer(learner, new MetaTrainerOptions
    {
        Iterations = iterations,
        MetaBatchSize = 25,
        OuterLearningRate = 1e-3,
        Seed = seed,
        ProgressInterval = Math.Max(1, iterations / 100),
    });

    var clock = System.Diagnostics.Stopwatch.StartNew();
    TrainingResult result = null!;
    AnsiConsole.Progress()
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
        .Start(ctx =>
        {
            var task = ctx.AddTask($"{learner.Name} meta-training", maxValue: iterations);
            var progress = new SynchronousProgress<TrainingProgress>(p =>
            {
                task.Value = p.Iteration;
                task.Description = $"{learner.Name} loss {p.QueryLoss:F3}";
            });
            result = trainer.Train(sampler, progress: progress);
        });

    double trainSeconds = clock.Elapsed.TotalSeconds;
    var evaluation = Evaluator.Evaluate(learner, sampler, 200, seed + 1_000_003);
    AnsiConsole.MarkupLine($"[grey]{learner.Name}: {result.Iterations} iterations in {trainSeconds:F1} s, median {result.MedianIterationMilliseconds:F2} ms per meta-iteration, " +
        $"final meta-batch loss {result.QueryLosses[^1]:F4}; evaluation {Markup.Escape(evaluation.ToString())}[/]");
    Console.WriteLine(FormattableString.Invariant($"mse={evaluation.MeanLoss:F4}"));
    return 0;
}
