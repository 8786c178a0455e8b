using System.Diagnostics;
using System.Security.Cryptography;
using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;

namespace MetaLearn.Benchmarks;

/// <summary>
/// The kill test of checkpoint saving. Each round starts a child process (this program's <c>killtest-child</c>
/// command) that resumes from the checkpoint file if there is one and then loops {one meta-iteration, report
/// "saving N", <see cref="MetaTrainer.SaveCheckpoint"/>, report "saved N &lt;SHA-256 of the file&gt;"} on an MLP of about
/// 1M float32 parameters (a 12.6 MB file with the Adam state); the parent kills it (SIGKILL) at a random moment
/// (seeded) and checks that the file on disk loads and is byte for byte either the previous checkpoint or the next one,
/// both recomputed by the parent, which trains the same run alongside (training is deterministic, and resuming exact).
/// Prints <c>killtest: R/R rounds ok</c>; exit code 0 when every round is.
/// </summary>
internal static class KillTestRun
{
    private const int MetaBatchSize = 2;

    /// <summary>The parent: <paramref name="rounds"/> rounds in <paramref name="directory"/>.</summary>
    public static int Run(int rounds, int seed, int maxDelayMilliseconds, int threads, string directory, TextWriter output)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "killtest.ckpt");
        string expected = Path.Combine(directory, "expected.ckpt");
        foreach (string file in new[] { path, path + ".tmp", expected, expected + ".tmp" })
        {
            File.Delete(file);
        }

        // The reference trains the same run in this process; after each round it stands at the file's iteration.
        using var model = NewModel();
        using var maml = NewMaml(model);
        using var reference = NewTrainer(maml);
        var sampler = TaskSamplers.Sinusoid();
        string? expectedHash = null;
        var random = new Random(seed);
        int ok = 0;
        int midSave = 0;
        int foundNew = 0;
        var clock = Stopwatch.StartNew();
        output.WriteLine($"# killtest: {rounds} rounds, seed {seed}, kill 0-{maxDelayMilliseconds} ms after the child is ready, file {path}");
        for (int round = 1; round <= rounds; round++)
        {
            int delay = random.Next(maxDelayMilliseconds + 1);
            var child = RunChild(path, threads, delay);
            string? problem = null;
            if (child.Saved is { } last)
            {
                while (reference.Iteration < last.Iteration)
                {
                    reference.Train(sampler);
                }

                reference.SaveCheckpoint(expected);
                expectedHash = Sha256(expected);
                problem = expectedHash == last.Hash ? null : $"the child's checkpoint of iteration {last.Iteration} differs from the one recomputed here";
            }

            midSave += child.Saving > reference.Iteration ? 1 : 0;
            bool isNew = false;
            problem ??= Check(path, expected, ref expectedHash, reference, sampler, child.Saving, out isNew);
            foundNew += problem is null && isNew ? 1 : 0;
            ok += problem is null ? 1 : 0;
            output.WriteLine($"# round {round}: killed after {delay} ms, last line '{child.LastLine}' -> {problem ?? (isNew ? "the new checkpoint" : File.Exists(path) ? "the previous checkpoint" : "no file yet (no save had finished)")} (iteration {reference.Iteration})");
        }

        output.WriteLine($"# {clock.Elapsed.TotalMinutes:F1} min; kills while a save was in progress ('saving N' reported, 'saved N' not): {midSave}; " +
            $"rounds whose file was that in-flight save: {foundNew}; stale temporary file left: {File.Exists(path + ".tmp")}");
        output.WriteLine($"killtest: {ok}/{rounds} rounds ok");
        return ok == rounds ? 0 : 1;
    }

    /// <summary>The child: resumes from <paramref name="path"/> if it exists, then trains and saves until killed.</summary>
    public static int RunChild(string path, TextWriter output)
    {
        using var model = NewModel();
        using var maml = NewMaml(model);
        using var trainer = NewTrainer(maml);
        var sampler = TaskSamplers.Sinusoid();
        if (File.Exists(path))
        {
            trainer.LoadCheckpoint(path);
        }

        output.WriteLine($"ready {trainer.Iteration}");
        for (int i = 0; i < 100_000; i++)
        {
            trainer.Train(sampler);
            output.WriteLine($"saving {trainer.Iteration}");
            trainer.SaveCheckpoint(path);
            output.WriteLine($"saved {trainer.Iteration} {Sha256(path)}");
        }

        return 0;
    }

    private static Mlp NewModel() => new(MlpOptions.WithLayers(1, 1024, 1024, 1) with { Seed = 3 });

    private static Maml NewMaml(Mlp model) => new(model, new InnerLoopOptions { Steps = 1, StepSize = 0.01 });

    private static MetaTrainer NewTrainer(Maml maml) => new(maml, new MetaTrainerOptions { Iterations = 1, MetaBatchSize = MetaBatchSize, Seed = 9 });

    /// <summary>
    /// Why the file is neither the reference's checkpoint (<paramref name="expected"/>) nor the one after it, or null. When
    /// it is the one after it, the reference is advanced to it and <paramref name="isNew"/> is set.
    /// </summary>
    private static string? Check(string path, string expected, ref string? expectedHash, MetaTrainer reference, ITaskSampler sampler, int saving, out bool isNew)
    {
        isNew = false;
        if (!File.Exists(path))
        {
            return expectedHash is null ? null : "the file is gone";
        }

        string hash = Sha256(path);
        if (hash == expectedHash)
        {
            return Loads(path, reference.Iteration);
        }

        int next = reference.Iteration + 1;
        if (saving != next)
        {
            return $"the file (SHA-256 {hash[..12]}) is not the checkpoint of iteration {reference.Iteration} and no save of iteration {next} had started";
        }

        reference.Train(sampler);
        reference.SaveCheckpoint(expected);
        expectedHash = Sha256(expected);
        if (hash != expectedHash)
        {
            return $"the file is neither the checkpoint of iteration {next - 1} nor the recomputed one of iteration {next}: " + (Loads(path, next) ?? "it loads, but its bytes differ");
        }

        isNew = true;
        return Loads(path, next);
    }

    /// <summary>Null when the file loads into a fresh trainer at <paramref name="iteration"/>, else what went wrong.</summary>
    private static string? Loads(string path, int iteration)
    {
        using var model = NewModel();
        using var maml = NewMaml(model);
        using var trainer = NewTrainer(maml);
        try
        {
            trainer.LoadCheckpoint(path);
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException)
        {
            return "the file does not load: " + ex.Message;
        }

        return trainer.Iteration == iteration ? null : $"the file loads at iteration {trainer.Iteration}, expected {iteration}";
    }

    private static (int Saving, (int Iteration, string Hash)? Saved, string LastLine) RunChild(string path, int threads, int delayMilliseconds)
    {
        string self = typeof(KillTestRun).Assembly.Location;
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(self);
        }

        foreach (string arg in new[] { "killtest-child", "--path", path, "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        using var child = Process.Start(start)!;
        child.ErrorDataReceived += (_, _) => { };
        child.BeginErrorReadLine();
        var lines = new List<string>();
        string? first = child.StandardOutput.ReadLine();
        if (first is null || !first.StartsWith("ready", StringComparison.Ordinal))
        {
            child.WaitForExit();
            throw new InvalidOperationException($"The child did not start (exit code {child.ExitCode}); first line: {first ?? "(none)"}.");
        }

        var reader = Task.Run(() =>
        {
            while (child.StandardOutput.ReadLine() is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        });
        Thread.Sleep(delayMilliseconds);
        child.Kill();
        child.WaitForExit();
        reader.Wait();
        int saving = 0;
        (int, string)? saved = null;
        foreach (string line in lines)
        {
            string[] parts = line.Split(' ');
            if (parts[0] == "saving")
            {
                saving = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (parts[0] == "saved")
            {
                saved = (int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), parts[2]);
            }
        }

        return (saving, saved, lines.Count > 0 ? lines[^1] : first);
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}
