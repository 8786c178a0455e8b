// Meta-trains a sinusoid regressor (Finn et al. 2017: MLP 1-40-40-1, K = 10, meta-batch 25, Adam 1e-3) with the
// algorithm of --algorithm and reports the query MSE after adaptation on 200 fresh tasks, beside the same adaptation
// from a network that was never meta-trained (baseline_mse).
using Spectre.Console;

string[] algorithms = { "maml", "fomaml", "metasgd", "anil", "reptile", "imaml", "cavia" };
var iterations = new Option<int>("--iterations") { Description = "Meta-iterations.", DefaultValueFactory = _ => 3000 };
var seed = new Option<int>("--seed") { Description = "Seed of the model and the tasks.", DefaultValueFactory = _ => 0 };
var threads = new Option<int>("--threads") { Description = "Intra-op threads of libtorch (the figures depend on it; printed with them).", DefaultValueFactory = _ => 2 };
var firstOrder = new Option<bool>("--first-order") { Description = "First-order MAML (no gradients through the inner step)." };
var algorithm = new Option<string>("--algorithm") { Description = string.Join(" | ", algorithms), DefaultValueFactory = _ => "maml" };
algorithm.AcceptOnlyFromAmong(algorithms);
var root = new RootCommand("Meta-trains on sinusoid regression tasks (Finn et al. 2017) and prints mse=<mean query MSE over 200 fresh K=10 tasks> baseline_mse=<the same adaptation from an untrained network>.")
{
    iterations, seed, threads, firstOrder, algorithm,
};
var checkpoints = new CheckpointFlags();
checkpoints.AddTo(root);
root.SetAction(parse => checkpoints.Run(parse, session =>
    Run(parse.GetValue(iterations), parse.GetValue(seed), parse.GetValue(threads), parse.GetValue(firstOrder), parse.GetValue(algorithm)!, session)));
return root.Parse(args).Invoke();

static int Run(int iterations, int seed, int threads, bool firstOrder, string name, CheckpointSession session)
{
    if (iterations < 1 || threads < 1)
    {
        Console.Error.WriteLine("--iterations and --threads must be at least 1.");
        return 2;
    }

    // The intra-op thread count decides how libtorch splits its sums, so it is set explicitly (and printed): the same
    // seed and thread count give the same figures whatever else the machine runs.
    set_num_threads(threads);
    string resolved = firstOrder && name == "maml" ? "fomaml" : name;
    var sampler = TaskSamplers.Sinusoid();

    // The baseline: the same algorithm and inner loop on a freshly initialised network that is never meta-trained.
    double baseline;
    using (var fresh = CreateModel(resolved, seed))
    using (var untrained = CreateAlgorithm(resolved, fresh, iterations))
    {
        baseline = Evaluator.Evaluate(untrained, sampler, 200, seed + 1_000_003).MeanLoss;
    }

    var trainerOptions = new MetaTrainerOptions
    {
        Iterations = iterations,
        MetaBatchSize = 25,
        OuterLearningRate = 1e-3,
        Seed = seed,
        ProgressInterval = Math.Max(1, iterations / 100),
        Checkpoint = session.Options(),
    };
    using var model = CreateModel(resolved, seed);
    int total = iterations;
    if (resolved == "reptile" && session.Resuming)
    {
        // Reptile anneals its outer step size to 0 over the whole training, so it needs the checkpoint's iteration first.
        using var probeLearner = CreateAlgorithm(resolved, model, total);
        using var probe = new MetaTrainer(probeLearner, trainerOptions);
        total += session.Attach(probe);
    }

    using var learner = CreateAlgorithm(resolved, model, total);
    using var trainer = new MetaTrainer(learner, trainerOptions);
    int start = session.Attach(trainer);
    var clock = System.Diagnostics.Stopwatch.StartNew();
    TrainingResult result = null!;
    AnsiConsole.Progress()
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
        .Start(ctx =>
        {
            var task = ctx.AddTask($"{learner.Name} meta-training", maxValue: iterations);
            var progress = TrainingProgress.Synchronous(p =>
            {
                task.Value = p.Iteration - start;
                task.Description = $"{learner.Name} loss {p.QueryLoss:F3}";
            });
            result = trainer.Train(sampler, progress: progress, cancellationToken: session.Stop);
        });

    double trainSeconds = clock.Elapsed.TotalSeconds;
    var evaluation = Evaluator.Evaluate(learner, sampler, 200, seed + 1_000_003);
    AnsiConsole.MarkupLine($"[grey]{learner.Name}: meta-iterations {start} to {result.Iterations} in {trainSeconds:F1} s on {threads} intra-op thread(s), median {result.MedianIterationMilliseconds:F2} ms per meta-iteration, " +
        $"final meta-batch loss {result.QueryLosses[^1]:F4}; evaluation {Markup.Escape(evaluation.ToString())}[/]");
    Console.WriteLine(FormattableString.Invariant($"algorithm={learner.Name} mse={evaluation.MeanLoss:F4} baseline_mse={baseline:F4} threads={threads}"));
    return 0;
}

// CAVIA appends its 5 context parameters to the input, so its network takes 1 + 5 inputs.
static Mlp CreateModel(string name, int seed) =>
    new(new MlpOptions { LayerSizes = new[] { name == "cavia" ? 1 + new CaviaOptions().ContextSize : 1, 40, 40, 1 }, Seed = seed });

// Every algorithm with its library defaults (MetaAlgorithms.Create): MAML, first-order MAML, Meta-SGD and ANIL one inner
// step of SGD at 0.01 (Finn et al.'s sine setting); iMAML 10 proximal steps of 0.01 with λ = 10 and 5 conjugate-gradient
// steps; CAVIA one context step of 1.0. Reptile 5 steps of 0.01 with outer step size 0.1, the value of the sine example
// published with Reptile (OpenAI's blog post; the paper's few-shot 1.0 is the library's default), annealed linearly to 0
// over the training's meta-iterations.
static IMetaAlgorithm CreateAlgorithm(string name, IFunctionalModel model, int iterations) => name switch
{
    "reptile" => new Reptile(model, new ReptileOptions { OuterStepSize = 0.1, OuterStepSizeAnnealingIterations = iterations }),
    _ => MetaAlgorithms.Create(name, model),
};
