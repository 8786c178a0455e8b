
namespace MultiModal;

/// <summary>
/// Multimodal meta-classification: two make_classification-style modalities of the same examples that complement each
/// other (each alone tells only pairs of classes apart). Meta-trains one model per modality, late fusion and feature
/// fusion with MAML, then prints held-out accuracies, the learned modality weights, the same with 30% of one modality
/// missing, and the fusion gain, one <c>name=value</c> line each.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var iterations = new Option<int>("--iterations") { Description = "Meta-iterations per model (meta-batches of 8 tasks).", DefaultValueFactory = _ => 150 };
        var evalTasks = new Option<int>("--eval-tasks") { Description = "Held-out tasks every model is scored on (at least 2).", DefaultValueFactory = _ => 100 };
        var missingRate = new Option<double>("--missing-rate") { Description = "Share of examples lacking modality 1 in the missing-modality runs, in [0, 1).", DefaultValueFactory = _ => 0.3 };
        var seed = new Option<int>("--seed") { Description = "Root seed of models, training tasks and held-out tasks.", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads (torch.set_num_threads).", DefaultValueFactory = _ => 2 };
        var root = new RootCommand("Meta-learned late and feature fusion of two complementary modalities versus each modality alone.")
        {
            iterations, evalTasks, missingRate, seed, threads,
        };
        var checkpoints = new CheckpointFlags();
        checkpoints.AddTo(root);
        root.SetAction(parse => checkpoints.Run(parse, session =>
        {
            var settings = new ExperimentSettings(parse.GetValue(iterations), parse.GetValue(evalTasks), parse.GetValue(missingRate), parse.GetValue(seed)) { Checkpoints = session };
            string? problem = settings.Problem() ?? (parse.GetValue(threads) < 1 ? $"--threads must be at least 1 (got {parse.GetValue(threads)})." : null);
            if (problem is not null)
            {
                Console.Error.WriteLine($"error: {problem}");
                return 2;
            }

            set_num_threads(parse.GetValue(threads));
            var clock = Stopwatch.StartNew();
            Console.Error.WriteLine($"[{clock.Elapsed.TotalSeconds,6:F1} s] seed {settings.Seed}, {parse.GetValue(threads)} intra-op thread(s) (the figures depend on both)");
            var result = Experiment.Run(settings, message => Console.Error.WriteLine($"[{clock.Elapsed.TotalSeconds,6:F1} s] {message}"));
            foreach (var (name, value) in result.Lines())
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}={value:F4}"));
            }

            Console.Error.WriteLine($"[{clock.Elapsed.TotalSeconds,6:F1} s] done");
            return 0;
        }));
        return root.Parse(args).Invoke();
    }
}
