using System.Globalization;
using MetaLearn.Algorithms;
using MetaLearn.Datasets;
using MetaLearn.Deployment;

namespace MetaLearn.Tests.Deployment;

/// <summary>
/// The entry point of the test assembly when run as a second process (<c>dotnet MetaLearn.Tests.dll probe ...</c>):
/// loads each learner file, adapts it to the support CSV, and prints the class probabilities of the rows CSV as the hex
/// bits of each float, so the calling test reads back exactly the values this process computed.
/// </summary>
internal static class LearnerProbe
{
    public static int Main(string[] args)
    {
        if (args.Length == 3 && args[0] == "cases")
        {
            return Cases(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
        }

        if (args.Length < 4 || args[0] != "probe")
        {
            Console.Error.WriteLine("usage: probe SUPPORT.csv ROWS.csv LEARNER... | cases LIST.txt THREADS");
            return 2;
        }

        // The module kinds the calling tests save learners of.
        Models.ResidualMlp.Register();
        var support = CsvTable.Read(args[1]);
        var rows = CsvTable.Read(args[2], new CsvTableOptions { LabelRequired = false });
        foreach (string path in args.Skip(3))
        {
            using var learner = LearnerFile.Load(path);
            using var adapted = learner.Algorithm.Adapt(support.Features, support.ClassIds().Select(c => (long)c).ToArray());
            Console.WriteLine($"{learner.Algorithm.Name} {Bits(adapted.PredictProbabilities(rows.Features))}");
        }

        return 0;
    }

    /// <summary>
    /// Runs this assembly as a second process with <paramref name="args"/> and returns its output lines; fails the calling
    /// test with the process's error output when it does not succeed.
    /// </summary>
    public static string[] Run(IEnumerable<string> args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(LearnerProbe).Assembly.Location);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit(300_000).Should().BeTrue("the probe process should finish");
        process.ExitCode.Should().Be(0, stderr.Result);
        return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static string Bits(float[,] values) =>
        string.Join(",", values.Cast<float>().Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8", CultureInfo.InvariantCulture)));

    /// <summary>
    /// Loads each learner file that <paramref name="list"/> names (a line: path, modalities, input seed; tab-separated),
    /// with <paramref name="threads"/> intra-op threads, adapts it to the inputs <see cref="LearnerCases.Inputs"/> draws
    /// and prints the query's class probabilities as bits, one line per file.
    /// </summary>
    private static int Cases(string list, int threads)
    {
        torch.set_num_threads(threads);
        LearnerCases.RegisterModules();
        foreach (string line in File.ReadAllLines(list))
        {
            var parts = line.Split('\t');
            using var learner = LearnerFile.Load(parts[0]);
            Console.WriteLine(Bits(LearnerCases.Probabilities(learner.Algorithm, parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture))));
        }

        return 0;
    }

    /// <summary>The values <see cref="Bits"/> wrote, as rows of <paramref name="columns"/>.</summary>
    public static float[,] Parse(string bits, int columns)
    {
        var values = bits.Split(',').Select(b => BitConverter.Int32BitsToSingle(int.Parse(b, NumberStyles.HexNumber, CultureInfo.InvariantCulture))).ToArray();
        var result = new float[values.Length / columns, columns];
        for (int i = 0; i < values.Length; i++)
        {
            result[i / columns, i % columns] = values[i];
        }

        return result;
    }

    /// <summary>Each row's most probable class.</summary>
    public static int[] Classes(float[,] probabilities) =>
        Enumerable.Range(0, probabilities.GetLength(0))
            .Select(r => Enumerable.Range(0, probabilities.GetLength(1)).MaxBy(c => probabilities[r, c]))
            .ToArray();

    /// <summary>The largest absolute difference between two equally shaped tables.</summary>
    public static double MaxDifference(float[,] a, float[,] b)
    {
        a.GetLength(0).Should().Be(b.GetLength(0));
        a.GetLength(1).Should().Be(b.GetLength(1));
        return a.Cast<float>().Zip(b.Cast<float>(), (x, y) => Math.Abs((double)x - y)).DefaultIfEmpty(0).Max();
    }
}
