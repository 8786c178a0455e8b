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
        if (args.Length < 4 || args[0] != "probe")
        {
            Console.Error.WriteLine("usage: probe SUPPORT.csv ROWS.csv LEARNER...");
            return 2;
        }

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

    public static string Bits(float[,] values) =>
        string.Join(",", values.Cast<float>().Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8", CultureInfo.InvariantCulture)));

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
