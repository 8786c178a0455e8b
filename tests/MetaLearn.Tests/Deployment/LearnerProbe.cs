using System.Globalization;
using MetaLearn.Algorithms;
using MetaLearn.Datasets;
using MetaLearn.Deployment;

namespace MetaLearn.Tests.Deployment;

/// <summary>
/// The entry point of the test assembly when run as a second process (<c>dotnet MetaLearn.Tests.dll probe ...</c>):
/// loads each learner file, adapts it to the support CSV, and prints the class probabilities of the rows CSV as the hex
/// bits of each float, so the calling test can compare them bit for bit.
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
}
