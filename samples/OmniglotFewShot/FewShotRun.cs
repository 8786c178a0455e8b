using Spectre.Console;

namespace OmniglotFewShot;

/// <summary>
/// Loads the alphabets; pre-trains the fine-tuning baseline; meta-trains the algorithm (from the baseline's embedding
/// with --from-baseline) for the given meta-iterations (or until the optional time budget); and scores both, and the
/// from-scratch baseline, on 20-way and 5-way 1-shot within-alphabet validation episodes.
/// </summary>
internal static class FewShotRun
{
    /// <summary>Meta-iterations per <see cref="MetaTrainer.Train"/> call; the clock and validation are checked between calls.</summary>
    private const int Chunk = 50;

    /// <summary>Episodes of each model-selection validation (their seeds differ from the final report's).</summary>
    private const int SelectionEpisodes = 100;

    /// <summary>Query drawings per class in validation episodes (20 ways x 5 = 100 queries per episode).</summary>
    private const int ValidationQueries = 5;

    /// <summary>
    /// The distortion of training images with <c>--augment</c>: rotation up to 15 degrees, shear up to 10 degrees,
    /// scale within ±15 %, shift up to 10 % of the side, each way (measured in the README).
    /// </summary>
    public static ImageAugmentation Augmentation { get; } = new() { Rotation = 15, Shear = 10, Scale = 0.15, Translation = 0.1 };

    public static int Run(FewShotSettings settings, CheckpointSession session)
    {
        if (settings.Problem() is string problem)
        {
            Console.Error.WriteLine(problem);
            return 2;
        }

        // Figures print with '.' decimals whatever the machine's culture, so scripts can parse them.
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        set_num_threads(settings.Threads);
        try
        {
            return Train(settings, session);
        }
        catch (ArgumentException ex)
        {
            // Bad paths, archives not in the Omniglot layout, too few classes for the episodes asked for.
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
    }

    private static int Train(FewShotSettings settings, CheckpointSession session)
    {
        var clock = Stopwatch.StartNew();
        var images = ImageLoadOptions.Omniglot with { ImageSize = settings.ImageSize };
        using var background = LabeledDataset.FromOmniglot(settings.Background, images);
        using var validationAll = LabeledDataset.FromOmniglot(settings.Validation, images);
        if (!validationAll.Groups.Except(background.Groups, StringComparer.Ordinal).Any())
        {
            throw new ArgumentException($"Every alphabet of '{settings.Validation}' is also in '{settings.Background}'; give --validation alphabets that training does not see.");
        }

        // Both evaluations draw from the held-out alphabets that have 20 characters or more (Tagalog has 17).
        using var heldOut = validationAll.ExceptGroups(background.Groups);
        var large = heldOut.Groups.Where(g => heldOut.Classes.Count(c => c.Group == g) >= FewShotSettings.EvaluationWays).ToArray();
        using var validationSet = heldOut.WhereGroups(large);
        var augmentation = settings.Augment ? Augmentation : null;
        var trainOptions = new EpisodicSamplerOptions
        {
            Ways = settings.Ways,
            Shots = settings.Shots,
            Queries = settings.Queries,
            SameGroup = settings.SameAlphabet,
            Rotations = EpisodicSamplerOptions.AllRightAngles,
            Augmentation = augmentation,
        };
        var trainSampler = TaskSamplers.Episodes(background, trainOptions);
        var batchOptions = new EpisodicSamplerOptions
        {
            Ways = settings.BaselineWays,
            Shots = 1,
            Queries = 1,
            Rotations = EpisodicSamplerOptions.AllRightAngles,
            Augmentation = augmentation,
            DatasetLabels = true,
        };
        var batches = TaskSamplers.Episodes(background, batchOptions);
        int baselineClasses = batchOptions.CountClasses(background);
        var validation = TaskSamplers.Episodes(validationSet, new EpisodicSamplerOptions
        {
            Ways = FewShotSettings.EvaluationWays,
            Shots = 1,
            Queries = ValidationQueries,
            SameGroup = true,
        });
        var small = TaskSamplers.Episodes(validationSet, new EpisodicSamplerOptions { Ways = FewShotSettings.SmallWays, Shots = 1, Queries = ValidationQueries, SameGroup = true });
        AnsiConsole.MarkupLine(Markup.Escape(
            $"Loaded {background.Classes.Count} training characters of {string.Join(", ", background.Groups)} " +
            $"({trainOptions.CountClasses(background)} classes with rotations) and {validationSet.Classes.Count} validation characters of " +
            $"{string.Join(", ", validationSet.Groups)} ({large.Length} alphabet(s) with {FewShotSettings.EvaluationWays}+ characters) " +
            $"in {clock.Elapsed.TotalSeconds:F1} s."));

        // The fine-tuning baseline: the embedding pre-trained with a cosine classifier over all training classes.
        var embedding = Networks.Create(settings, ways: 0);
        using var baseline = new FineTuning(embedding, new FineTuningOptions { Classes = baselineClasses, Features = Networks.Features(settings.Model, settings.ImageSize), Seed = settings.Seed });
        Scores baselineScores;
        using (var pretrainer = new MetaTrainer(baseline, new MetaTrainerOptions
        {
            Iterations = Chunk,
            MetaBatchSize = 1,
            OuterLearningRate = settings.LearningRate,
            LearningRateScheduler = Schedule(settings, settings.BaselineIterations),
            Seed = settings.Seed,
            ProgressInterval = 1,
            Checkpoint = session.Options("baseline"),
        }))
        {
            Pretrain(settings, session, pretrainer, batches, baselineClasses);
            baselineScores = Score(baseline, validation, small, settings);
        }

        // The meta-learning algorithm, from the baseline's embedding or from its own initial values.
        using var model = settings.FromBaseline ? null : Networks.Create(settings, ways: settings.HasHead ? FewShotSettings.EvaluationWays : 0);
        var algorithmModel = model ?? embedding;
        using var metaAlgorithm = Algorithm(settings, algorithmModel, settings.InnerSteps);
        using var tester = Algorithm(settings, algorithmModel, settings.TestInnerSteps);
        using var trainer = new MetaTrainer(metaAlgorithm, new MetaTrainerOptions
        {
            Iterations = Math.Min(Chunk, settings.Iterations),
            MetaBatchSize = settings.MetaBatch,
            OuterLearningRate = settings.LearningRate,
            LearningRateScheduler = Schedule(settings, settings.Iterations),
            Seed = settings.Seed,
            ValidationInterval = 0,
            RestoreBestParameters = false,
            ProgressInterval = 1,
            Checkpoint = session.Options(),
        });

        var training = TrainWithSelection(settings, session, trainer, tester, trainSampler, validation);
        AnsiConsole.MarkupLine(Markup.Escape(training.ToString()));
        var metaScores = Score(tester, validation, small, settings);
        var scratch = new Scores(
            ScratchBaseline.Accuracy(validation, FewShotSettings.EvaluationWays, settings.ScratchEpisodes, Seeds.Derive(settings.Seed, 3, 0), settings.Seed, settings.ImageSize),
            ScratchBaseline.Accuracy(small, FewShotSettings.SmallWays, settings.ScratchEpisodes, Seeds.Derive(settings.Seed, 3, 1), settings.Seed, settings.ImageSize),
            settings.ScratchEpisodes);
        AnsiConsole.MarkupLine(Markup.Escape(
            $"Validation, 1-shot within-alphabet on {string.Join(", ", validationSet.Groups)}, {settings.ValidationEpisodes} episodes of {ValidationQueries} queries per class " +
            $"({settings.ScratchEpisodes} for the from-scratch baseline): {settings.Algorithm} 20-way error {1 - metaScores.Twenty:P2} ± {metaScores.Confidence:P2} (95% CI), " +
            $"fine-tuning baseline {1 - baselineScores.Twenty:P2}, from scratch {1 - scratch.Twenty:P2}; 5-way error {1 - metaScores.Five:P2}, " +
            $"fine-tuning baseline {1 - baselineScores.Five:P2}, from scratch {1 - scratch.Five:P2}; {clock.Elapsed.TotalMinutes:F1} min in all."));

        double errorRate = 1 - metaScores.Twenty;
        if (settings.EvalRuns is string runsFolder)
        {
            var rates = ScoreRuns(tester, runsFolder, settings.HasHead, images);
            double meanError = rates.Average();
            AnsiConsole.MarkupLine(Markup.Escape(
                $"Lake et al.'s runs in {runsFolder}: error {meanError:P2} over {rates.Count} runs " +
                $"(per run: {string.Join(" ", rates.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))})."));
            errorRate = meanError;
        }

        Console.WriteLine(FormattableString.Invariant($"{settings.Algorithm}_accuracy={metaScores.Twenty:F4} {settings.Algorithm}_accuracy_5way={metaScores.Five:F4}"));
        Console.WriteLine(FormattableString.Invariant($"finetune_accuracy={baselineScores.Twenty:F4} finetune_accuracy_5way={baselineScores.Five:F4}"));
        Console.WriteLine(FormattableString.Invariant($"scratch_accuracy={scratch.Twenty:F4} scratch_accuracy_5way={scratch.Five:F4}"));
        Console.WriteLine(FormattableString.Invariant($"error_rate={errorRate:F4}"));
        return 0;
    }

    /// <summary>A cosine from the learning rate to 0 over <paramref name="iterations"/> with <c>--lr-schedule cosine</c>; else none.</summary>
    private static Func<optim.Optimizer, optim.lr_scheduler.LRScheduler>? Schedule(FewShotSettings settings, int iterations) =>
        settings.CosineSchedule ? optimizer => optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max: iterations) : null;

    /// <summary>The algorithm of <paramref name="settings"/> over <paramref name="model"/> (not owned), adapting with <paramref name="steps"/> inner steps.</summary>
    private static IMetaAlgorithm Algorithm(FewShotSettings settings, IFunctionalModel model, int steps)
    {
        var inner = new InnerLoopOptions { Steps = steps, StepSize = settings.InnerStepSize };
        return settings.Algorithm switch
        {
            "maml" => new Maml(model, inner),
            "fomaml" => Maml.FirstOrder(model, inner),
            "anil" => Maml.Anil(model, inner),
            _ => new PrototypicalNetworks(model),
        };
    }

    /// <summary>Pre-trains the fine-tuning baseline to <see cref="FewShotSettings.BaselineIterations"/> iterations in all (a resumed run continues to there).</summary>
    private static void Pretrain(FewShotSettings settings, CheckpointSession session, MetaTrainer trainer, ITaskSampler batches, int classes)
    {
        int start = session.Attach(trainer, "baseline");
        int target = settings.BaselineIterations;
        var clock = Stopwatch.StartNew();
        double lastAccuracy = double.NaN;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(session.Stop);
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("finetune pre-training", maxValue: target);
                var progress = TrainingProgress.Synchronous(p =>
                {
                    lastAccuracy = p.QueryAccuracy;
                    task.Value = p.Iteration;
                    task.Description = Markup.Escape(FormattableString.Invariant($"finetune pre-training it {p.Iteration} loss {p.QueryLoss:F3} acc {p.QueryAccuracy:P1}"));
                    if (p.Iteration >= target)
                    {
                        stop.Cancel();
                    }
                });
                while (trainer.Iteration < target)
                {
                    try
                    {
                        trainer.Train(batches, progress: progress, cancellationToken: stop.Token);
                    }
                    catch (OperationCanceledException) when (!session.Stop.IsCancellationRequested)
                    {
                        // The target was reached mid-chunk; the last finished step stands.
                    }
                }

                task.Value = task.MaxValue;
            });
        // The mean over the run: the last Train call is ended by the cancellation above and returns no median, so with fewer
        // iterations than a chunk no call returned one (the line printed NaN).
        int done = trainer.Iteration - start;
        double mean = done == 0 ? 0 : clock.Elapsed.TotalMilliseconds / done;
        AnsiConsole.MarkupLine(Markup.Escape(
            $"finetune: {done} pre-training iterations in {clock.Elapsed.TotalMinutes:F1} min ({mean:F0} ms each on average), " +
            $"last batch accuracy {lastAccuracy:P1} over {classes} classes."));
    }

    private static TrainingSummary TrainWithSelection(
        FewShotSettings settings, CheckpointSession session, MetaTrainer trainer, IMetaAlgorithm tester, ITaskSampler trainSampler, ITaskSampler validationSampler)
    {
        // With --resume, --iterations more meta-iterations from the checkpoint's (model selection starts afresh).
        int start = session.Attach(trainer);
        int target = start + settings.Iterations;
        var budget = settings.TimeBudgetMinutes is double budgetMinutes ? TimeSpan.FromMinutes(budgetMinutes) : (TimeSpan?)null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(session.Stop);
        if (budget is TimeSpan limit)
        {
            stop.CancelAfter(limit);
        }

        AnsiConsole.MarkupLine(Markup.Escape(FormattableString.Invariant(
            $"Training {settings.Iterations} meta-iterations from iteration {start} (seed {settings.Seed}, {settings.Threads} intra-op thread(s)){(budget is null ? string.Empty : $", or until {budget.Value.TotalMinutes:F1} minutes have passed")}.")));
        var clock = Stopwatch.StartNew();
        using var selection = settings.ValidationInterval > 0 ? new ModelSelection(tester.MetaParameters, tester.Model.Buffers) : null;
        using var average = settings.AverageLast > 0 ? new WeightAverage(tester.MetaParameters, tester.Model.Buffers) : null;
        int averageFrom = target - (int)Math.Round(settings.AverageLast * settings.Iterations);
        int selectionSeed = Seeds.Derive(settings.Seed, 2, 0);
        double lastLoss = double.NaN;
        double lastAccuracy = double.NaN;
        var times = new List<double>();
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"{trainer.Algorithm.Name} meta-training", maxValue: 1.0);
                var progress = TrainingProgress.Synchronous(p =>
                {
                    lastLoss = p.QueryLoss;
                    lastAccuracy = p.QueryAccuracy;
                    if (average is not null && p.Iteration > averageFrom && (p.Iteration - start) % settings.AverageEvery == 0)
                    {
                        average.Add();
                    }

                    task.Value = Math.Max((double)(p.Iteration - start) / settings.Iterations, budget is TimeSpan limit ? clock.Elapsed / limit : 0);
                    task.Description = Markup.Escape(FormattableString.Invariant(
                        $"{trainer.Algorithm.Name} it {p.Iteration} loss {p.QueryLoss:F3} acc {p.QueryAccuracy:P1}{(selection is null ? string.Empty : " | " + selection.Describe())}"));
                    if (p.Iteration >= target)
                    {
                        stop.Cancel();
                    }
                });
                int nextValidation = start + settings.ValidationInterval;
                while (trainer.Iteration < target && !stop.IsCancellationRequested)
                {
                    try
                    {
                        times.Add(trainer.Train(trainSampler, progress: progress, cancellationToken: stop.Token).MedianIterationMilliseconds);
                    }
                    catch (OperationCanceledException) when (!session.Stop.IsCancellationRequested)
                    {
                        // The time budget ran out or the iteration target was reached mid-chunk; the last finished step stands.
                    }

                    bool last = trainer.Iteration >= target || stop.IsCancellationRequested;
                    if (selection is not null && (trainer.Iteration >= nextValidation || last))
                    {
                        var result = Evaluator.Evaluate(tester, validationSampler, SelectionEpisodes, selectionSeed);
                        selection.Offer(trainer.Iteration, result.MeanAccuracy);
                        nextValidation = trainer.Iteration + settings.ValidationInterval;
                    }
                }

                task.Value = task.MaxValue;
            });

        double minutes = clock.Elapsed.TotalMinutes;
        string kept;
        if (average is { Count: > 0 })
        {
            kept = FormattableString.Invariant(
                $"kept the mean of the parameters at {average.Count} iteration{(average.Count == 1 ? string.Empty : "s")} (one in every {settings.AverageEvery} from {averageFrom + 1} to {trainer.Iteration})");
            average.Apply();
        }
        else if (selection is { BestIteration: >= 0 })
        {
            kept = FormattableString.Invariant($"kept the parameters of iteration {selection.BestIteration} (selection accuracy {selection.BestAccuracy:P2})");
            selection.RestoreBest();
        }
        else
        {
            kept = average is null ? "kept the last parameters (no model selection)"
                : trainer.Iteration <= averageFrom ? "kept the last parameters (training stopped before the averaged iterations)"
                : FormattableString.Invariant(
                    $"kept the last parameters (no iteration from {averageFrom + 1} to {trainer.Iteration} is one in every {settings.AverageEvery} to average)");
        }

        times.Sort();
        double median = times.Count == 0 ? double.NaN : times[times.Count / 2];
        return new TrainingSummary(settings.Algorithm, trainer.Iteration, minutes, median, lastLoss, lastAccuracy, kept);
    }

    /// <summary>The 20-way and 5-way accuracies of <paramref name="metaAlgorithm"/> over the report's episodes.</summary>
    private static Scores Score(IMetaAlgorithm metaAlgorithm, ITaskSampler twenty, ITaskSampler five, FewShotSettings settings)
    {
        var main = Evaluator.Evaluate(metaAlgorithm, twenty, settings.ValidationEpisodes, Seeds.Derive(settings.Seed, 3, 0));
        var small = Evaluator.Evaluate(metaAlgorithm, five, settings.ValidationEpisodes, Seeds.Derive(settings.Seed, 3, 1));
        return new Scores(main.MeanAccuracy, small.MeanAccuracy, settings.ValidationEpisodes) { Confidence = main.AccuracyConfidence95 };
    }

    private static IReadOnlyList<double> ScoreRuns(IMetaAlgorithm algorithm, string folder, bool hasHead, ImageLoadOptions images)
    {
        using var runs = OneShotRuns.Load(folder, images);
        var predictions = new List<IReadOnlyList<int>>();
        foreach (var episode in runs.Episodes)
        {
            if (hasHead && episode.Info.Ways != FewShotSettings.EvaluationWays)
            {
                throw new ArgumentException(
                    $"Run {episode.Info.Seed} has {episode.Info.Ways} classes but the {algorithm.Name} head is {FewShotSettings.EvaluationWays}-way; " +
                    "score such runs with --algorithm protonet.");
            }

            using var scope = NewDisposeScope();
            using var logits = algorithm.PredictQuery(episode);
            predictions.Add(logits.argmax(1).data<long>().Select(p => (int)p).ToArray());
        }

        return runs.ErrorRates(predictions);
    }

    /// <summary>An algorithm's mean 20-way and 5-way accuracies.</summary>
    private sealed record Scores(double Twenty, double Five, int Episodes)
    {
        /// <summary>Half the 95% interval of the 20-way accuracy.</summary>
        public double Confidence { get; init; } = double.NaN;
    }
}
