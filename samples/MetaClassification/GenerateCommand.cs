using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MetaLearn.Datasets;

namespace MetaClassification;

/// <summary>The <c>generate</c> command: one make_classification draw written atomically to CSV (header f0..f{n-1},y).</summary>
internal static class GenerateCommand
{
    private static readonly Dictionary<string, string> FlagOf = new()
    {
        ["Samples"] = "--n-samples",
        ["Features"] = "--n-features",
        ["Informative"] = "--n-informative",
        ["Redundant"] = "--n-redundant",
        ["Repeated"] = "--n-repeated",
        ["Classes"] = "--n-classes",
        ["ClustersPerClass"] = "--n-clusters-per-class",
        ["Weights"] = "--weights",
        ["FlipY"] = "--flip-y",
        ["ClassSep"] = "--class-sep",
        ["Shift"] = "--shift",
        ["Scale"] = "--scale",
    };

    public static Command Create()
    {
        var defaults = new MakeClassificationOptions();
        var samples = new Option<int>("--n-samples") { Description = "Number of samples.", DefaultValueFactory = _ => defaults.Samples };
        var features = new Option<int>("--n-features") { Description = "Total number of features.", DefaultValueFactory = _ => defaults.Features };
        var informative = new Option<int>("--n-informative") { Description = "Informative features.", DefaultValueFactory = _ => defaults.Informative };
        var redundant = new Option<int>("--n-redundant") { Description = "Redundant features (linear combinations of the informative ones).", DefaultValueFactory = _ => defaults.Redundant };
        var repeated = new Option<int>("--n-repeated") { Description = "Repeated features (copies of informative or redundant ones).", DefaultValueFactory = _ => defaults.Repeated };
        var classes = new Option<int>("--n-classes") { Description = "Number of classes.", DefaultValueFactory = _ => defaults.Classes };
        var clusters = new Option<int>("--n-clusters-per-class") { Description = "Gaussian clusters per class; n-classes * n-clusters-per-class must be <= 2^n-informative.", DefaultValueFactory = _ => defaults.ClustersPerClass };
        var weights = new Option<string?>("--weights") { Description = "Class shares, comma-separated: n-classes values, or n-classes - 1 (the last inferred). Default: balanced." };
        var flipY = new Option<double>("--flip-y") { Description = "Share of labels replaced by random classes, in [0, 1].", DefaultValueFactory = _ => defaults.FlipY };
        var classSep = new Option<double>("--class-sep") { Description = "Half the side of the hypercube holding the cluster centroids.", DefaultValueFactory = _ => defaults.ClassSep };
        var hypercube = new Option<bool>("--hypercube") { Description = "Centroids on hypercube vertices (false: a random polytope).", DefaultValueFactory = _ => defaults.Hypercube };
        var shift = new Option<string>("--shift") { Description = "Added to the features: one number, one per feature (comma-separated), or 'random'.", DefaultValueFactory = _ => "0" };
        var scale = new Option<string>("--scale") { Description = "Multiplies the features: one number, one per feature (comma-separated), or 'random'.", DefaultValueFactory = _ => "1" };
        var shuffle = new Option<bool>("--shuffle") { Description = "Shuffle samples and features.", DefaultValueFactory = _ => defaults.Shuffle };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 0 };
        var output = new Option<FileInfo>("--out") { Description = "CSV file to write.", Required = true };

        var command = new Command("generate", "Write one make_classification draw to CSV (header f0..f{n-1},y).")
        {
            samples, features, informative, redundant, repeated, classes, clusters, weights, flipY, classSep, hypercube, shift, scale, shuffle, seed, output,
        };

        command.SetAction(parse =>
        {
            MakeClassificationResult result;
            try
            {
                var options = new MakeClassificationOptions
                {
                    Samples = parse.GetValue(samples),
                    Features = parse.GetValue(features),
                    Informative = parse.GetValue(informative),
                    Redundant = parse.GetValue(redundant),
                    Repeated = parse.GetValue(repeated),
                    Classes = parse.GetValue(classes),
                    ClustersPerClass = parse.GetValue(clusters),
                    Weights = ParseList(parse.GetValue(weights), "--weights"),
                    FlipY = parse.GetValue(flipY),
                    ClassSep = parse.GetValue(classSep),
                    Hypercube = parse.GetValue(hypercube),
                    Shift = ParseScalarOrArray(parse.GetValue(shift)!, "--shift"),
                    Scale = ParseScalarOrArray(parse.GetValue(scale)!, "--scale"),
                    Shuffle = parse.GetValue(shuffle),
                };
                result = MakeClassification.Generate(options, parse.GetValue(seed));
            }
            catch (ArgumentException e)
            {
                string message = Describe(e);
                Console.Error.WriteLine($"error: {message}");
                var named = FlagOf.Where(p => Regex.IsMatch(message, $@"\b{p.Key}\b")).Select(p => $"{p.Key} is {p.Value}").ToArray();
                if (named.Length > 0)
                {
                    Console.Error.WriteLine($"(on the command line: {string.Join(", ", named)})");
                }

                return 2;
            }

            var file = parse.GetValue(output)!;
            WriteAtomically(result.Data, file.FullName);
            Console.WriteLine($"wrote {result.Data.Count} samples x {result.Data.Features} features ({result.Data.Classes.Count} classes) to {file.FullName}");
            return 0;
        });
        return command;
    }

    private static string Describe(ArgumentException e)
    {
        // Drop the " (Parameter 'X')" and "Actual value was" tails .NET appends: the message already says what to change.
        string message = e.Message;
        int cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return cut >= 0 ? message[..cut] : message.Split(Environment.NewLine)[0];
    }

    private static double[]? ParseList(string? text, string flag)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return text.Split(',', StringSplitOptions.TrimEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{flag} takes comma-separated numbers such as 0.7,0.3; got '{text}'.");
        }
    }

    private static ScalarOrArray? ParseScalarOrArray(string text, string flag)
    {
        if (text.Trim().Equals("random", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        double[] values = ParseList(text, flag) ?? throw new ArgumentException($"{flag} needs a number, comma-separated numbers, or 'random'.");
        return values.Length == 1 ? ScalarOrArray.Of(values[0]) : ScalarOrArray.Of(values);
    }

    private static void WriteAtomically(LabeledDataset data, string path)
    {
        string directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var writer = new StreamWriter(temporary, false, new UTF8Encoding(false)))
            {
                writer.WriteLine(string.Join(",", Enumerable.Range(0, data.Features).Select(j => $"f{j}")) + ",y");
                var line = new StringBuilder();
                for (int i = 0; i < data.Count; i++)
                {
                    line.Clear();
                    foreach (double v in data.Row(i))
                    {
                        line.Append(v.ToString("R", CultureInfo.InvariantCulture)).Append(',');
                    }

                    line.Append(data.Labels[i].ToString(CultureInfo.InvariantCulture));
                    writer.WriteLine(line);
                }
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
