using System.Globalization;
using MetaLearn.Algorithms;
using MetaLearn.Training;

namespace MetaLearn.Benchmarks;

/// <summary>
/// Runs sine-maml for many meta-iterations and reports the process's resident memory at iteration 100 and at the
/// end, to show that memory stays flat (every tensor of an iteration is freed).
/// </summary>
internal static class MemoryRun
{
    private const int ReportEvery = 100;

    public static int Run(int iterations, bool perTask, TextWriter output)
    {
        if (iterations < ReportEvery)
        {
            Console.Error.WriteLine($"--iterations must be at least {ReportEvery} (the first sample is taken at iteration {ReportEvery}).");
            return 2;
        }

        var workload = Workload.SineMaml;
        using var model = workload.CreateModel();
        using var maml = new Maml(model, workload.Inner with { TaskBatching = !perTask });
        using var trainer = new MetaTrainer(maml, new MetaTrainerOptions
        {
            Iterations = iterations,
            MetaBatchSize = workload.MetaBatchSize,
            OuterLearningRate = Workload.OuterLearningRate,
            ProgressInterval = ReportEvery,
        });
        long atFirst = 0;
        long atEnd = 0;
        var progress = TrainingProgress.Synchronous(p =>
        {
            // Environment.WorkingSet is the resident set size (VmRSS) on Linux.
            long rss = Environment.WorkingSet;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"iteration={p.Iteration} rss_mb={rss / 1048576.0:F1} loss={p.QueryLoss:F4}"));
            if (p.Iteration == ReportEvery)
            {
                atFirst = rss;
            }

            atEnd = rss;
        });
        trainer.Train(workload.CreateSampler(), progress: progress);
        double growth = 100.0 * (atEnd - atFirst) / atFirst;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rss_at_{ReportEvery}_mb={atFirst / 1048576.0:F1} rss_at_end_mb={atEnd / 1048576.0:F1}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rss_growth_percent={growth:F2}"));
        return 0;
    }
}
