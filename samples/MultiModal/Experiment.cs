
namespace MultiModal;

/// <summary>What to run: meta-iterations per model, held-out tasks, the missing rate of modality 1, the root seed.</summary>
internal sealed record ExperimentSettings(int Iterations, int EvalTasks, double MissingRate, int Seed)
{
    /// <summary>Checkpoints (one file per model) and the Ctrl+C token; null trains without.</summary>
    public CheckpointSession? Checkpoints { get; init; }

    /// <summary>What is wrong with the settings, or null.</summary>
    public string? Problem() =>
        Iterations < 1 ? $"--iterations must be at least 1 (got {Iterations})."
        : EvalTasks < 2 ? $"--eval-tasks must be at least 2 (got {EvalTasks})."
        : MissingRate is < 0 or >= 1 ? $"--missing-rate must lie in [0, 1) (got {MissingRate})."
        : null;
}

/// <summary>The experiment: the task distribution, the four models, their meta-training and held-out scores.</summary>
internal static class Experiment
{
    private const int Ways = 4;
    private const int Features = 8;
    private const int Hidden = 32;
    private const int MetaBatchSize = 8;
    private const double OuterLearningRate = 0.005;
    private static readonly InnerLoopOptions Inner = new() { Steps = 3, StepSize = 0.3 };

    // Seed streams under the root seed.
    private const long TrainStream = 0;
    private const long EvaluationStream = 1;
    private const long ModelStream = 2;

    public static ExperimentResult Run(ExperimentSettings s, Action<string> log)
    {
        var complete = new ComplementaryTaskSampler(TaskOptions(0));
        var missing = new ComplementaryTaskSampler(TaskOptions(s.MissingRate));
        log($"tasks: {Ways}-way {complete.Options.Shots}-shot, two modalities of {Features} features, each separating {complete.Options.GroupsPerModality} groups of classes; " +
            $"MAML ({Inner.Steps} steps, lr {Inner.StepSize}), {s.Iterations} meta-iterations of {MetaBatchSize} tasks per model, {s.EvalTasks} held-out tasks");

        double Single(int modality)
        {
            using var model = Branch(s, modality, Ways);
            return TrainAndScore($"modality {modality} alone", model, new ModalitySubsetSampler(complete, modality), s, log);
        }

        double modality0 = Single(0);
        double modality1 = Single(1);
        var (late, lateWeights) = Late(complete, s, log, "late fusion");
        double feature = Feature(complete, s, log, "feature fusion");
        var (lateMissing, lateMissingWeights) = Late(missing, s, log, "late fusion, modality 1 missing");
        double featureMissing = Feature(missing, s, log, "feature fusion, modality 1 missing");
        return new ExperimentResult(modality0, modality1, late, feature, lateWeights, s.MissingRate, lateMissing, featureMissing, lateMissingWeights);
    }

    /// <summary>The task distribution: complementary modalities; modality 1 lacks <paramref name="missingRate"/> of the examples.</summary>
    public static ComplementaryTaskOptions TaskOptions(double missingRate) => new()
    {
        Ways = Ways,
        Modalities = new[] { ModalityOptions.Informative(Features), ModalityOptions.Informative(Features) with { MissingRate = missingRate } },
    };

    private static (double Accuracy, double[] Weights) Late(ITaskSampler tasks, ExperimentSettings s, Action<string> log, string name)
    {
        using var model = new LateFusion(new IFunctionalModel[] { Branch(s, 10, Ways), Branch(s, 11, Ways) }, ownsModels: true);
        double accuracy = TrainAndScore(name, model, tasks, s, log);
        return (accuracy, model.ModalityWeights());
    }

    private static double Feature(ITaskSampler tasks, ExperimentSettings s, Action<string> log, string name)
    {
        using var model = new FeatureFusion(
            new IFunctionalModel[] { Branch(s, 20, Hidden), Branch(s, 21, Hidden) },
            MlpOptions.WithLayers(2 * Hidden, Hidden, Ways) with { Seed = Seeds.Derive(s.Seed, ModelStream, 22) }, ownsModels: true);
        return TrainAndScore(name, model, tasks, s, log);
    }

    private static Mlp Branch(ExperimentSettings s, int index, int outputs) =>
        new(MlpOptions.WithLayers(Features, Hidden, outputs) with { Seed = Seeds.Derive(s.Seed, ModelStream, index) });

    /// <summary>Meta-trains <paramref name="model"/> with MAML on <paramref name="tasks"/> and returns its mean accuracy on the held-out tasks.</summary>
    private static double TrainAndScore(string name, IFunctionalModel model, ITaskSampler tasks, ExperimentSettings s, Action<string> log)
    {
        using var maml = new Maml(model, Inner);
        using var trainer = new MetaTrainer(maml, new MetaTrainerOptions
        {
            Iterations = s.Iterations,
            MetaBatchSize = MetaBatchSize,
            OuterLearningRate = OuterLearningRate,
            Seed = Seeds.Derive(s.Seed, TrainStream, 0),
            Checkpoint = s.Checkpoints?.Options(FileName(name)),
        });
        s.Checkpoints?.Attach(trainer, FileName(name));
        var training = trainer.Train(tasks, cancellationToken: s.Checkpoints?.Stop ?? default);
        var result = Evaluator.Evaluate(maml, tasks, s.EvalTasks, Seeds.Derive(s.Seed, EvaluationStream, 0));
        log($"{name}: last meta-batch query loss {training.QueryLosses[^1]:F3}; held-out {result}");
        return result.MeanAccuracy;
    }

    /// <summary>The model's part of its checkpoint file name: "late fusion, modality 1 missing" -> "late-fusion-modality-1-missing".</summary>
    private static string FileName(string name) =>
        string.Join('-', name.Split(new[] { ' ', ',' }, StringSplitOptions.RemoveEmptyEntries));
}
