using Spectre.Console;

namespace OmniglotFewShot;

/// <summary>Loads the alphabets, meta-trains for the given meta-iterations (or until the optional time budget), and scores the result.</summary>
internal static class FewShotRun
{
    /// <summary>Meta-iterations per <see cref="MetaTrainer.Train"/> call; the clock and validation are checked between calls.</summary>
    private const int Chunk = 50;

    /// <summary>Episodes of each model-selection validation (their seeds differ from the final report's).</summary>
    private const int SelectionEpisodes = 100;

    /// <summary>Query drawings per class in validation episodes (20 ways x 5 = 100 queries per episode).</summary>
    private const int ValidationQueries = 5;

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
        using var background = Omniglot.Load(settings.Background);
        using var validationAll = Omniglot.Load(settings.Validation);
        if (!validationAll.Groups.Except(background.Groups, StringComparer.Ordinal).Any())
        {
            throw new ArgumentException($"Every alphabet of '{settings.Validation}' is also in '{settings.Background}'; give --validation alphabets that training does not see.");
        }

        using var validationSet = validationAll.ExceptGroups(background.Groups);
        var trainSampler = new EpisodicSampler(background, new EpisodicSamplerOptions
        {
            Ways = settings.Ways,
            Shots = settings.Shots,
            Queries = settings.Queries,
            SameGroup = settings.SameAlphabet,
            Rotations = EpisodicSamplerOptions.AllRightAngles,
        });
        var validationSampler = new EpisodicSampler(validationSet, new EpisodicSamplerOptions
        {
            Ways = FewShotSettings.EvaluationWays,
            Shots = 1,
            Queries = ValidationQueries,
            SameGroup = true,
        });
        AnsiConsole.MarkupLine(Markup.Escape(
            $"Loaded {background.Classes.Count} training characters of {string.Join(", ", background.Groups)} " +
            $"({trainSampler.ClassCount} classes with rotations) and {validationSet.Classes.Count} validation characters of " +
            $"{string.Join(", ", validationSet.Groups)} ({validationSampler.GroupCount} alphabet(s) with {FewShotSettings.EvaluationWays}+ characters) " +
            $"in {clock.Elapsed.TotalSeconds:F1} s."));

        using var model = new Conv4(new Conv4Options { Ways = settings.HasHead ? FewShotSettings.EvaluationWays : 0, Seed = settings.Seed });
        // ProtoNets has no inner steps (MetaAlgorithms.Create refuses them); the MAML family gets the sample's inner loop.
        var inner = settings.HasHead ? new MetaAlgorithmOverrides { InnerSteps = settings.InnerSteps, InnerStepSize = settings.InnerStepSize } : null;
        var testInner = inner is null ? null : inner with { InnerSteps = settings.TestInnerSteps };
        using IMetaAlgorithm learner = MetaAlgorithms.Create(settings.Algorithm, model, inner);
        using IMetaAlgorithm tester = MetaAlgorithms.Create(settings.Algorithm, model, testInner);
        using var trainer = new MetaTrainer(learner, new MetaTrainerOptions
        {
            Iterations = Math.Min(Chunk, settings.Iterations),
            MetaBatchSize = settings.MetaBatch,
            OuterLearningRate = settings.LearningRate,
            Seed = settings.Seed,
            ValidationInterval = 0,
            RestoreBestParameters = false,
            ProgressInterval = 1,
            Checkpoint = session.Options(),
        });

        var training = TrainWithinBudget(settings, session, trainer, tester, trainSampler, validationSampler);
        AnsiConsole.MarkupLine(Markup.Escape(training.ToString()));

        var final = Evaluator.Evaluate(tester, validationSampler, settings.ValidationEpisodes, Seeds.Derive(settings.Seed, 3, 0));
        double errorRate = 1 - final.MeanAccuracy;
        AnsiConsole.MarkupLine(Markup.Escape(
            $"Validation, {FewShotSettings.EvaluationWays}-way 1-shot within-alphabet on {string.Join(", ", validationSet.Groups)}: " +
            $"error {errorRate:P2} ± {final.AccuracyConfidence95:P2} (95% CI) over {final.Episodes} episodes of {FewShotSettings.EvaluationWays * ValidationQueries} queries."));
        if (settings.EvalRuns is string runsFolder)
        {
            var score = ScoreRuns(tester, runsFolder, settings.HasHead);
            AnsiConsole.MarkupLine(Markup.Escape(
                $"Lake et al.'s runs in {runsFolder}: error {score.MeanErrorRate:P2} over {score.ErrorRates.Count} runs " +
                $"(per run: {string.Join(" ", score.ErrorRates.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))})."));
            errorRate = score.MeanErrorRate;
        }

        Console.WriteLine(FormattableString.Invariant($"error_rate={errorRate:F4}"));
        return 0;
    }

    private static TrainingSummary TrainWithinBudget(
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
        var selection = new ModelSelection(tester.MetaParameters);
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
                var progress = new SynchronousProgress<TrainingProgress>(p =>
                {
                    lastLoss = p.QueryLoss;
                    lastAccuracy = p.QueryAccuracy;
                    task.Value = Math.Max((double)(p.Iteration - start) / settings.Iterations, budget is TimeSpan limit ? clock.Elapsed / limit : 0);
                    task.Description = Markup.Escape(FormattableString.Invariant(
                        $"{trainer.Algorithm.Name} it {p.Iteration} loss {p.QueryLoss:F3} acc {p.QueryAccuracy:P1} | {selection.Describe()}"));
                    if (p.Iteration >= target)
                    {
                        stop.Cancel();
                    }
                });
                int nextValidation = settings.ValidationInterval;
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
                    if (settings.ValidationInterval > 0 && (trainer.Iteration >= nextValidation || last))
                    {
                        var result = Evaluator.Evaluate(tester, validationSampler, SelectionEpisodes, selectionSeed);
                        selection.Offer(trainer.Iteration, result.MeanAccuracy);
                        nextValidation = trainer.Iteration + settings.ValidationInterval;
                    }
                }

                task.Value = task.MaxValue;
            });

        double minutes = clock.Elapsed.TotalMinutes;
        selection.RestoreBest();
        times.Sort();
        double median = times.Count == 0 ? double.NaN : times[times.Count / 2];
        return new TrainingSummary(settings.Algorithm, trainer.Iteration, minutes, median, lastLoss, lastAccuracy, selection.BestIteration, selection.BestAccuracy);
    }

    private static OneShotRunScore ScoreRuns(IMetaAlgorithm algorithm, string folder, bool hasHead)
    {
        using var runs = OneShotRuns.Load(folder);
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

        return runs.Score(predictions);
    }
}
