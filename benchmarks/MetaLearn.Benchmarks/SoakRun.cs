using System.Diagnostics;
using MetaLearn.Algorithms;
using MetaLearn.Training;

namespace MetaLearn.Benchmarks;

/// <summary>
/// The soak test of background episode preparation: trains makeclass-maml with <c>PrefetchBatches</c> on for a set
/// time while another thread forces gen-0 garbage collections in a loop (the pressure under which temporary native
/// Scalars used to be freed mid-call), then compares every meta-batch's loss with a run on one thread without the
/// pressure: trained afterwards in the same process, or, with <c>--reference FILE</c>, read from the losses file a
/// <c>--quiet</c> run (started beside it) writes. Prints <c>soak result=pass|fail ...</c>; exit code 0 on pass.
/// </summary>
internal static class SoakRun
{
    private const int Chunk = 200;

    /// <summary>The quiet run alone: no prefetch, no pressure; appends each loss (round-trip format) to <paramref name="lossesFile"/>.</summary>
    public static int RunQuiet(double minutes, string lossesFile, TextWriter output)
    {
        output.WriteLine($"# quiet soak reference: makeclass-maml, no prefetch, no pressure, {minutes} min, losses to {lossesFile}");
        using var writer = new StreamWriter(lossesFile, append: false);
        var losses = Train(prefetch: 0, until: TimeSpan.FromMinutes(minutes), iterations: null, output, chunk =>
        {
            foreach (double loss in chunk)
            {
                writer.WriteLine(loss.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            }

            writer.Flush();
        });
        output.WriteLine($"# quiet run: {losses.Count} meta-iterations");
        return 0;
    }

    public static int Run(double minutes, int prefetch, string? referenceFile, TextWriter output)
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
        List<double> quiet;
        if (referenceFile is null)
        {
            quiet = Train(prefetch: 0, until: null, iterations: pressured.Count, output);
            output.WriteLine($"# quiet run (no prefetch, no pressure): {quiet.Count} meta-iterations in {clock.Elapsed.TotalMinutes:F1} min");
        }
        else
        {
            // The quiet run may still be behind: wait (up to 20 minutes) until it has written as many losses.
            var waited = Stopwatch.StartNew();
            while (ReadLosses(referenceFile).Count < pressured.Count && waited.Elapsed < TimeSpan.FromMinutes(20))
            {
                Thread.Sleep(TimeSpan.FromSeconds(10));
            }

            quiet = ReadLosses(referenceFile).Take(pressured.Count).ToList();
            output.WriteLine($"# quiet reference from {referenceFile}: {quiet.Count} of the pressured run's {pressured.Count} meta-iterations");
        }

        int compared = Math.Min(quiet.Count, pressured.Count);
        int firstDifference = Enumerable.Range(0, compared).FirstOrDefault(i => pressured[i] != quiet[i], -1);
        bool pass = quiet.Count == pressured.Count && firstDifference < 0;
        output.WriteLine(
            $"soak result={(pass ? "pass" : "fail")} minutes={pressuredTime.TotalMinutes:F1} iterations={pressured.Count} " +
            $"forced_collections={collections} identical_losses={(firstDifference < 0 ? "yes" : $"no (first difference at iteration {firstDifference})")} " +
            $"last_loss={pressured[^1]:R}");
        return pass ? 0 : 1;
    }

    private static List<double> ReadLosses(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var losses = new List<double>();
        while (reader.ReadLine() is string line)
        {
            if (double.TryParse(line, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double loss))
            {
                losses.Add(loss);
            }
        }

        return losses;
    }

    /// <summary>
    /// Trains in calls of <see cref="Chunk"/> meta-iterations (each continuing the last) until the time is up or
    /// <paramref name="iterations"/> (a multiple of <see cref="Chunk"/>) are done; returns every meta-batch's loss.
    /// </summary>
    private static List<double> Train(int prefetch, TimeSpan? until, int? iterations, TextWriter output, Action<IReadOnlyList<double>>? onChunk = null)
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
            var chunk = trainer.Train(sampler).QueryLosses;
            losses.AddRange(chunk);
            onChunk?.Invoke(chunk);
            if (losses.Count % 5000 < Chunk)
            {
                output.WriteLine($"#   {losses.Count} meta-iterations, {clock.Elapsed.TotalMinutes:F1} min, loss {losses[^1]:F4}");
            }
        }

        return losses;
    }
}
