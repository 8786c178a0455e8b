using Spectre.Console;

namespace MetaClassification;

/// <summary>
/// The <c>train</c> command: meta-trains on make_classification tasks (by default the benchmark workload "makeclass-maml"),
/// validates on fixed tasks as it goes, saves the learner (<c>--out</c>) and the curves (<c>--plot</c>), then compares on
/// the same fresh tasks the meta-learned model with logistic regression, 1-nearest-neighbour and a network trained from
/// scratch.
/// </summary>
internal static class TrainCommand
{
    // Seed streams under --seed (Seeds.Derive's second argument): 0 and 1 are the trainer's (training and validation
    // episodes), then evaluation tasks, from-scratch initialisations and the fixed validation tasks.
    private static readonly (long Evaluation, long ScratchInit, long Validation) Streams = (2, 3, 4);

    /// <summary>
    /// The inner loop of the makeclass-maml workload: what maml, fomaml, metasgd and anil use unless --inner-steps and
    /// --inner-step-size say otherwise, and the from-scratch baselines' SGD.
    /// </summary>
    private static readonly (int Steps, double StepSize) WorkloadInner = (5, 0.1);

    public static Command Create()
    {
        var flags = new MakeClassificationFlags(MakeClassificationTaskOptions.WorkloadGenerator);
        var ways = new Option<int>("--ways") { Description = "Classes per task.", DefaultValueFactory = _ => 3 };
        var shots = new Option<int>("--shots") { Description = "Labelled support rows per class.", DefaultValueFactory = _ => 5 };
        var queries = new Option<int>("--queries") { Description = "Query rows per class.", DefaultValueFactory = _ => 15 };
        var iterations = new Option<int>("--iterations") { Description = "Meta-iterations.", DefaultValueFactory = _ => 1000 };
        var metaBatch = new Option<int>("--meta-batch") { Description = "Tasks per meta-iteration.", DefaultValueFactory = _ => 16 };
        var learningRate = new Option<double>("--lr") { Description = "Outer (Adam) learning rate.", DefaultValueFactory = _ => 1e-3 };
        var innerSteps = new Option<int?>("--inner-steps") { Description = "Inner steps on the support set [maml, fomaml, metasgd, anil: 5; reptile, imaml, cavia: their own defaults; protonet and r2d2 have none]." };
        var innerStepSize = new Option<double?>("--inner-step-size") { Description = "Inner step size [maml, fomaml, metasgd, anil: 0.1; reptile, imaml, cavia: their own defaults]." };
        var hidden = new Option<string>("--hidden") { Description = "Hidden layer sizes of the MLP, comma-separated.", DefaultValueFactory = _ => "64,64" };
        var seed = new Option<int>("--seed") { Description = "Root seed of the model, the training, validation and evaluation tasks and the from-scratch initialisations.", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads (torch.set_num_threads).", DefaultValueFactory = _ => 2 };
        var algorithm = new Option<string>("--algorithm") { Description = string.Join(" | ", MetaAlgorithms.Names), DefaultValueFactory = _ => "maml" };
        algorithm.AcceptOnlyFromAmong(MetaAlgorithms.Names.ToArray());
        var evalTasks = new Option<int>("--eval-tasks") { Description = "Fresh tasks every method is compared on (at least 2).", DefaultValueFactory = _ => 200 };
        var scratchSteps = new Option<int>("--scratch-steps") { Description = "SGD steps (lr = inner step size) of the stronger from-scratch baseline.", DefaultValueFactory = _ => 100 };
        var validateEvery = new Option<int>("--validate-every") { Description = "Validate every this many meta-iterations (0: 20 times per run).", DefaultValueFactory = _ => 0 };
        var validationTasks = new Option<int>("--validation-tasks") { Description = "Fixed validation tasks (at least 2).", DefaultValueFactory = _ => 100 };
        var output = new Option<FileInfo?>("--out") { Description = "Save the meta-trained learner to this file (e.g. model.metalearn)." };
        var plot = new Option<FileInfo?>("--plot") { Description = "Draw the meta-training loss and validation accuracy (95% interval) to this PNG." };

        var command = new Command("train", "Meta-train on make_classification tasks, save the learner, and compare with logistic regression, 1-NN and training from scratch on fresh tasks.");
        foreach (var option in flags.All.Concat(new Option[]
        {
            ways, shots, queries, iterations, metaBatch, learningRate, innerSteps, innerStepSize, hidden, seed, threads, algorithm, evalTasks, scratchSteps, validateEvery, validationTasks, output, plot,
        }))
        {
            command.Options.Add(option);
        }

        var checkpoints = new CheckpointFlags();
        checkpoints.AddTo(command);

        command.SetAction(parse =>
        {
            TrainSettings settings;
            try
            {
                var taskOptions = new MakeClassificationTaskOptions
                {
                    Generator = flags.Build(parse),
                    Ways = parse.GetValue(ways),
                    Shots = parse.GetValue(shots),
                    Queries = parse.GetValue(queries),
                };
                taskOptions.Validate();
                settings = new TrainSettings(
                    taskOptions,
                    Check(parse.GetValue(iterations), 1, "--iterations"),
                    Check(parse.GetValue(metaBatch), 1, "--meta-batch"),
                    parse.GetValue(learningRate),
                    parse.GetValue(innerSteps) is int steps ? Check(steps, 1, "--inner-steps") : null,
                    parse.GetValue(innerStepSize) is double size ? (size > 0 && double.IsFinite(size) ? size : throw new ArgumentException($"--inner-step-size must be positive (got {size}).")) : null,
                    ParseSizes(parse.GetValue(hidden)!),
                    parse.GetValue(seed),
                    Check(parse.GetValue(threads), 1, "--threads"),
                    parse.GetValue(algorithm)!,
                    Check(parse.GetValue(evalTasks), 2, "--eval-tasks"),
                    Check(parse.GetValue(scratchSteps), 1, "--scratch-steps"),
                    Check(parse.GetValue(validateEvery), 0, "--validate-every"),
                    Check(parse.GetValue(validationTasks), 2, "--validation-tasks"),
                    parse.GetValue(output)?.FullName,
                    parse.GetValue(plot)?.FullName);
                if (!MetaAlgorithms.HasInnerSteps(settings.Algorithm) && (settings.InnerSteps is not null || settings.InnerStepSize is not null))
                {
                    throw new ArgumentException($"--inner-steps and --inner-step-size do not apply to {settings.Algorithm}, which adapts without inner steps.");
                }
            }
            catch (ArgumentException e)
            {
                return MakeClassificationFlags.Fail(e);
            }

            return checkpoints.Run(parse, session => Run(settings, session));
        });
        return command;
    }

    private static int Run(TrainSettings s, CheckpointSession session)
    {
        set_num_threads(s.Threads);
        var sampler = TaskSamplers.MakeClassification(s.Tasks);
        int features = s.Tasks.Generator.Features;
        // ProtoNets and R2D2 meta-learn an embedding (no class head); CAVIA appends its context parameters to every input row.
        bool embedding = !MetaAlgorithms.HasInnerSteps(s.Algorithm);
        int inputs = s.Algorithm == "cavia" ? features + new CaviaOptions().ContextSize : features;
        int[] layers = new[] { inputs }.Concat(s.Hidden).Concat(embedding ? Array.Empty<int>() : new[] { s.Tasks.Ways }).ToArray();
        using var model = new Mlp(new MlpOptions { LayerSizes = layers, Seed = s.Seed });
        int every = s.ValidateEvery > 0 ? Math.Min(s.ValidateEvery, s.Iterations) : Math.Max(1, s.Iterations / 20);
        var trainerOptions = new MetaTrainerOptions
        {
            Iterations = every,
            MetaBatchSize = s.MetaBatch,
            OuterLearningRate = s.LearningRate,
            Seed = s.Seed,
            ProgressInterval = Math.Max(1, every / 5),
            Checkpoint = session.Options(),
        };
        int total = s.Iterations;
        if (s.Algorithm == "reptile" && session.Resuming)
        {
            // Reptile anneals its outer step size to 0 over the whole training, so it needs the checkpoint's iteration first.
            using var probeLearner = CreateLearner(s, model, total);
            using var probe = new MetaTrainer(probeLearner, trainerOptions);
            total += session.Attach(probe);
        }

        using var learner = CreateLearner(s, model, total);
        using var trainer = new MetaTrainer(learner, trainerOptions);
        int start = session.Attach(trainer);

        Console.WriteLine($"task: {s.Tasks.Ways}-way, {s.Tasks.Shots} shots, {s.Tasks.Queries} queries per class; {MakeClassificationFlags.Describe(s.Tasks.Generator)}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"model: MLP {string.Join("-", layers)}; {learner.Name}, {DescribeInner(learner)}, meta-batch {s.MetaBatch}, Adam {s.LearningRate}; {s.Threads} intra-op thread(s)"));
        var clock = Stopwatch.StartNew();
        var losses = new List<double>();
        var curve = new List<(int Iteration, EvaluationResult Result)>();
        Comparison comparison = null!;
        double trainSeconds = 0;
        int validationRoot = Seeds.Derive(s.Seed, Streams.Validation, 0);
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var trainTask = ctx.AddTask($"{learner.Name} meta-training", maxValue: s.Iterations);
                var evalTask = ctx.AddTask("evaluation", autoStart: false, maxValue: s.EvalTasks);
                while (trainer.Iteration < start + s.Iterations)
                {
                    var chunk = trainer.Train(sampler, progress: TrainingProgress.Synchronous(p =>
                    {
                        trainTask.Value = p.Iteration - start;
                        trainTask.Description = $"{learner.Name} loss {p.QueryLoss:F3} acc {p.QueryAccuracy:P0}";
                    }), cancellationToken: session.Stop);
                    losses.AddRange(chunk.QueryLosses);
                    var validation = Evaluator.Evaluate(learner, sampler, s.ValidationTasks, validationRoot);
                    curve.Add((trainer.Iteration, validation));
                    trainTask.Description = $"{learner.Name} validation {validation.MeanAccuracy:P1}";
                }

                trainSeconds = clock.Elapsed.TotalSeconds;
                if (s.Output is not null)
                {
                    // Saved before the comparison, so the learner is on disk as soon as training ends.
                    Save(learner, s, curve[^1].Result);
                }

                evalTask.StartTask();
                comparison = Compare(learner, sampler, s, layers, () => evalTask.Increment(1));
            });
        double evalSeconds = clock.Elapsed.TotalSeconds - trainSeconds;

        var last = curve[^1];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{learner.Name}: {trainer.Iteration} meta-iterations in {trainSeconds:F1} s (validation every {every} on {s.ValidationTasks} fixed tasks included); " +
            $"last meta-batch query loss {losses[^1]:F4}; last validation accuracy {last.Result.MeanAccuracy:F4} ± {last.Result.AccuracyConfidence95:F4}; evaluation of {s.EvalTasks} fresh tasks in {evalSeconds:F1} s"));
        var table = new Table().AddColumns("method (same fresh tasks, same support rows)", "query accuracy (95% CI)");
        table.AddRow(Markup.Escape($"meta-learned [{learner.Name}]"), Format(comparison.Meta));
        table.AddRow("logistic regression (L2, C = 1) on the support rows", Format(comparison.Logistic));
        table.AddRow("1-nearest-neighbour on the support rows", Format(comparison.Nearest));
        var scratchInner = ScratchInner(s);
        table.AddRow(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"from scratch + {scratchInner.Steps} SGD steps of {scratchInner.StepSize}")), Format(comparison.Scratch));
        table.AddRow(Markup.Escape($"from scratch + {s.ScratchSteps} SGD steps"), Format(comparison.ScratchLong));
        table.AddRow(Markup.Escape("meta − logistic regression, paired"), Format(comparison.MetaMinusLogistic));
        AnsiConsole.Write(table);

        if (s.Output is not null)
        {
            Console.WriteLine($"saved: {s.Output} ({new FileInfo(s.Output).Length} bytes)");
        }

        if (s.Plot is not null)
        {
            Curves.Save(s.Plot, losses, curve, learner.Name, comparison.Logistic.Mean);
            Console.WriteLine($"plot: {s.Plot}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"logreg_accuracy={comparison.Logistic.Mean:F4} nn1_accuracy={comparison.Nearest.Mean:F4} scratch_accuracy={comparison.Scratch.Mean:F4} scratch_long_accuracy={comparison.ScratchLong.Mean:F4} scratch_steps={s.ScratchSteps}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"meta_accuracy={comparison.Meta.Mean:F4}"));
        return 0;
    }

    private static void Save(IMetaAlgorithm learner, TrainSettings s, EvaluationResult validation) =>
        LearnerFile.Save(learner, s.Output!, new Dictionary<string, string>
        {
            ["features"] = s.Tasks.Generator.Features.ToString(CultureInfo.InvariantCulture),
            ["ways"] = s.Tasks.Ways.ToString(CultureInfo.InvariantCulture),
            ["shots"] = s.Tasks.Shots.ToString(CultureInfo.InvariantCulture),
            ["task"] = MakeClassificationFlags.Describe(s.Tasks.Generator),
            ["validation_accuracy"] = validation.MeanAccuracy.ToString("R", CultureInfo.InvariantCulture),
        });

    /// <summary>Scores the meta-trained algorithm and every baseline on the same fresh episodes.</summary>
    private static Comparison Compare(IMetaAlgorithm learner, ITaskSampler sampler, TrainSettings s, int[] layers, Action done)
    {
        int evaluationRoot = Seeds.Derive(s.Seed, Streams.Evaluation, 0);
        var meta = new List<double>();
        var logistic = new List<double>();
        var nearest = new List<double>();
        var scratch = new List<double>();
        var scratchLong = new List<double>();
        int[] scratchLayers = new[] { s.Tasks.Generator.Features }.Concat(s.Hidden).Append(s.Tasks.Ways).ToArray();
        var inner = ScratchInner(s);
        for (int i = 0; i < s.EvalTasks; i++)
        {
            using var episode = sampler.Sample(Seeds.Derive(evaluationRoot, 0, i));
            meta.Add(Evaluator.Score(learner, episode).Accuracy);
            logistic.Add(Baselines.LogisticRegression(episode));
            nearest.Add(Baselines.NearestNeighbor(episode));

            // From scratch: an untrained network (its own seeded initialisation per task) adapted by MAML's inner
            // loop is plain SGD on the support set from a random start.
            using var fresh = new Mlp(new MlpOptions { LayerSizes = scratchLayers, Seed = Seeds.Derive(s.Seed, Streams.ScratchInit, i) });
            using (var shortRun = new Maml(fresh, inner with { FirstOrder = true }))
            {
                scratch.Add(Evaluator.Score(shortRun, episode).Accuracy);
            }

            using (var longRun = new Maml(fresh, inner with { Steps = s.ScratchSteps, FirstOrder = true }))
            {
                scratchLong.Add(Evaluator.Score(longRun, episode).Accuracy);
            }

            done();
        }

        return new Comparison(
            Evaluator.MeanWithConfidence(meta),
            Evaluator.MeanWithConfidence(logistic),
            Evaluator.MeanWithConfidence(nearest),
            Evaluator.MeanWithConfidence(scratch),
            Evaluator.MeanWithConfidence(scratchLong),
            Evaluator.MeanWithConfidence(meta.Zip(logistic, (m, l) => m - l).ToArray()));
    }

    /// <summary>The flags the user gave; for the MAML family the workload's inner loop; everything else stays the algorithm's default.</summary>
    private static MetaAlgorithmOverrides Overrides(TrainSettings s)
    {
        bool workload = s.Algorithm is "maml" or "fomaml" or "metasgd" or "anil";
        return new MetaAlgorithmOverrides
        {
            Steps = s.InnerSteps ?? (workload ? WorkloadInner.Steps : null),
            StepSize = s.InnerStepSize ?? (workload ? WorkloadInner.StepSize : null),
        };
    }

    /// <summary>
    /// The algorithm with <see cref="Overrides"/>; Reptile's outer step size is annealed to 0 over the training's
    /// <paramref name="total"/> meta-iterations (the paper's schedule) rather than over its default 1,000.
    /// </summary>
    private static IMetaAlgorithm CreateLearner(TrainSettings s, IFunctionalModel model, int total)
    {
        var overrides = Overrides(s);
        if (s.Algorithm != "reptile")
        {
            return MetaAlgorithms.Create(s.Algorithm, model, overrides);
        }

        var reptile = new ReptileOptions { OuterStepSizeAnnealingIterations = total };
        return new Reptile(model, reptile with
        {
            Steps = overrides.Steps ?? reptile.Steps,
            StepSize = overrides.StepSize ?? reptile.StepSize,
        });
    }

    private static InnerLoopOptions ScratchInner(TrainSettings s) =>
        new() { Steps = s.InnerSteps ?? WorkloadInner.Steps, StepSize = s.InnerStepSize ?? WorkloadInner.StepSize };

    /// <summary>The inner loop the learner actually runs, read back from its options.</summary>
    private static string DescribeInner(IMetaAlgorithm learner) => learner switch
    {
        Maml g => string.Create(CultureInfo.InvariantCulture, $"{g.Options.Steps} inner steps of {g.Options.StepSize}"),
        Reptile r => string.Create(CultureInfo.InvariantCulture, $"{r.Options.Steps} inner steps of {r.Options.StepSize}, outer step size {r.Options.OuterStepSize}"),
        Imaml i => string.Create(CultureInfo.InvariantCulture, $"{i.Options.Steps} proximal steps of {i.Options.StepSize}, λ {i.Options.Regularization}"),
        Cavia c => string.Create(CultureInfo.InvariantCulture, $"{c.Options.Steps} context steps of {c.Options.StepSize}"),
        _ => "no inner steps",
    };

    private static int Check(int value, int min, string flag) =>
        value >= min ? value : throw new ArgumentException($"{flag} must be at least {min} (got {value}).");

    private static int[] ParseSizes(string text)
    {
        try
        {
            var sizes = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            return sizes.Length > 0 && sizes.All(v => v > 0) ? sizes : throw new FormatException();
        }
        catch (FormatException)
        {
            throw new ArgumentException($"--hidden takes positive comma-separated sizes such as 64,64; got '{text}'.");
        }
    }

    private static string Format((double Mean, double HalfWidth) value) =>
        Markup.Escape($"{value.Mean:P2} ± {value.HalfWidth:P2}");

    private sealed record TrainSettings(
        MakeClassificationTaskOptions Tasks,
        int Iterations,
        int MetaBatch,
        double LearningRate,
        int? InnerSteps,
        double? InnerStepSize,
        int[] Hidden,
        int Seed,
        int Threads,
        string Algorithm,
        int EvalTasks,
        int ScratchSteps,
        int ValidateEvery,
        int ValidationTasks,
        string? Output,
        string? Plot);

    private sealed record Comparison(
        (double Mean, double HalfWidth) Meta,
        (double Mean, double HalfWidth) Logistic,
        (double Mean, double HalfWidth) Nearest,
        (double Mean, double HalfWidth) Scratch,
        (double Mean, double HalfWidth) ScratchLong,
        (double Mean, double HalfWidth) MetaMinusLogistic);
}
