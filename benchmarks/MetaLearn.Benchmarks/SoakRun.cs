using System.Diagnostics;
using MetaLearn.Algorithms;
using MetaLearn.Training;

namespace MetaLearn.Benchmarks;

/// <summary>
/// The soak test of background episode preparation: trains makeclass-maml with <c>PrefetchBatches</c> on for a set
/// time while another thread forces gen-0 garbage collections in a loop (the pressure under which temporary native
/// Scalars used to be freed mid-call), then trains the same number of meta-iterations again on one thread without
/// the pressure and compares every meta-batch's loss. Prints <c>soak result=pass|fail ...</c>; exit code 0 on pass.
/// </summary>
internal static class SoakRun
{
    private const int Chunk = 200;

    public static int Run(double minutes, int prefetch, TextWriter output)
    {
        var duration = TimeSpan.FromMinutes(minutes);
        output.WriteLine($"# soak: makeclass-maml, prefetch={prefetch}, gen-0 collections forced every millisecond by a second thread, {minutes} min");
        long collections = 0;
        using var stop = new CancellationTokenSource();
        var pressure = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                _ = new byte[4096];
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
                Interlocked.Increment(ref collections);
                Thread.Sleep(1);
            }
        })
        { IsBackground = true, Name = "gc-pressure" };

        var clock = Stopwatch.StartNew();
        pressure.Start();
        List<double> pressured;
        try
        {
            pressured = Train(prefetch, until: duration, iterations: null, output);
        }
        finally
        {
            stop.Cancel();
            pressure.Join();
        }

        var pressuredTime = clock.Elapsed;
        output.WriteLine($"# pressured run: {pressured.Count} meta-iterations in {pressuredTime.TotalMinutes:F1} min, {collections} forced collections");
        clock.Restart();
        var quiet = Train(prefetch: 0, until: null, iterations: pressured.Count, output);
        output.WriteLine($"# quiet run (no prefetch, no pressure): {quiet.Count} meta-iterations in {clock.Elapsed.TotalMinutes:F1} min");

        int firstDifference = Enumerable.Range(0, pressured.Count).FirstOrDefault(i => pressured[i] != quiet[i], -1);
        bool pass = quiet.Count == pressured.Count && firstDifference < 0;
        output.WriteLine(
            $"soak result={(pass ? "pass" : "fail")} minutes={pressuredTime.TotalMinutes:F1} iterations={pressured.Count} " +
            $"forced_collections={collections} identical_losses={(firstDifference < 0 ? "yes" : $"no (first difference at iteration {firstDifference})")} " +
            $"last_loss={pressured[^1]:R}");
        return pass ? 0 : 1;
    }

    /// <summary>
    /// Trains in calls of <see cref="Chunk"/> meta-iterations (each continuing the last) until the time is up or
    /// <paramref name="iterations"/> (a multiple of <see cref="Chunk"/>) are done; returns every meta-batch's loss.
    /// </summary>
    private static List<double> Train(int prefetch, TimeSpan? until, int? iterations, TextWriter output)
    {
        var workload = Workload.MakeClassMaml;
        using var model = workload.CreateModel();
        using var maml = new Maml(model, workload.Inner);
        var sampler = workload.CreateSampler();
        using var trainer = new MetaTrainer(maml, new MetaTrainerOptions
        {
            Iterations = Chunk,
            MetaBatchSize = workload.MetaBatchSize,
            OuterLearningRate = Workload.OuterLearningRate,
            PrefetchBatches = prefetch,
        });
        var losses = new List<double>();
        var clock = Stopwatch.StartNew();
        while ((until is null || clock.Elapsed < until) && (iterations is null || losses.Count < iterations))
        {
            losses.AddRange(trainer.Train(sampler).QueryLosses);
            if (losses.Count % 5000 < Chunk)
            {
                output.WriteLine($"#   {losses.Count} meta-iterations, {clock.Elapsed.TotalMinutes:F1} min, loss {losses[^1]:F4}");
            }
        }

        return losses;
    }
}
