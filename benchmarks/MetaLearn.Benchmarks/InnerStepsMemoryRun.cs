using System.Globalization;
using MetaLearn.Algorithms;
using MetaLearn.Training;

namespace MetaLearn.Benchmarks;

/// <summary>
/// Measures how a meta-iteration's memory grows with the number of inner steps: sine-maml's model, tasks and
/// meta-batch, meta-trained by second-order MAML or iMAML with the given inner steps, in a fresh process per run.
/// Prints the resident memory before training and the process's peak (VmHWM) after it.
/// </summary>
internal static class InnerStepsMemoryRun
{
    public static int Run(string algorithm, int steps, int iterations, TextWriter output)
    {
        var workload = Workload.SineMaml;
        using var model = workload.CreateModel();
        using IMetaAlgorithm metaAlgorithm = algorithm == "imaml"
            ? new Imaml(model, new ImamlOptions { Steps = steps, StepSize = workload.Inner.StepSize, Regularization = 10 })
            : new Maml(model, workload.Inner with { Steps = steps });
        using var trainer = new MetaTrainer(metaAlgorithm, new MetaTrainerOptions
        {
            Iterations = iterations,
            MetaBatchSize = workload.MetaBatchSize,
            OuterLearningRate = Workload.OuterLearningRate,
            ValidationInterval = 0,
        });
        GC.Collect();
        double before = Status("VmRSS");
        var result = trainer.Train(workload.CreateSampler());
        double peak = Status("VmHWM");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"algorithm={algorithm} inner_steps={steps} rss_before_mb={before:F1} peak_rss_mb={peak:F1} peak_growth_mb={peak - before:F1} ms_per_meta_iteration={result.MedianIterationMilliseconds:F2}"));
        return 0;
    }

    /// <summary>A memory figure of /proc/self/status in MB (Linux only).</summary>
    private static double Status(string key)
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }
}
