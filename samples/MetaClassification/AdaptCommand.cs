
namespace MetaClassification;

/// <summary>
/// The <c>adapt</c> command: loads a learner, adapts it once to the labelled rows of a support CSV, and writes the
/// predicted class and the class probabilities of every row of a second CSV.
/// </summary>
internal static class AdaptCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "A learner saved by train --out.", Required = true };
        var support = new Option<FileInfo>("--support") { Description = "Labelled rows: header f0..f{n-1},y (as generate writes).", Required = true };
        var predict = new Option<FileInfo>("--predict") { Description = "Rows to predict: the same feature columns; a y column is ignored.", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the predictions (CSV).", Required = true };
        var steps = new Option<int?>("--inner-steps") { Description = "Test-time inner steps (default: the training value)." };
        var command = new Command("adapt", "Adapt a saved learner to a support CSV and predict the rows of another CSV.") { model, support, predict, output, steps };
        command.SetAction(parse =>
        {
            try
            {
                return Run(parse.GetValue(model)!.FullName, parse.GetValue(support)!.FullName, parse.GetValue(predict)!.FullName, parse.GetValue(output)!.FullName, parse.GetValue(steps));
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private static int Run(string modelPath, string supportPath, string predictPath, string outputPath, int? steps)
    {
        using var learner = LearnerFile.Load(modelPath);
        var support = CsvTable.Read(supportPath);
        var rows = CsvTable.Read(predictPath, new CsvTableOptions { LabelRequired = false });
        Tasks.CheckColumns(learner, support, rows);
        var classes = support.ClassNames();
        using var adapted = learner.Algorithm.Adapt(support.Features, support.ClassIds().Select(c => (long)c).ToArray(), new AdaptationOptions { Steps = steps });
        var probabilities = Tasks.Probabilities(adapted, rows.Features, classes.Count);
        CsvFiles.Write(
            outputPath,
            "row,predicted," + string.Join(",", classes.Select(c => $"p_{c}")),
            Enumerable.Range(0, rows.Count).Select(i =>
            {
                int best = Enumerable.Range(0, classes.Count).MaxBy(c => probabilities[i, c]);
                return string.Create(CultureInfo.InvariantCulture, $"{i},{classes[best]},") +
                    string.Join(",", Enumerable.Range(0, classes.Count).Select(c => probabilities[i, c].ToString("R", CultureInfo.InvariantCulture)));
            }));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"adapted {learner.Algorithm.Name} to {support.Count} labelled rows ({classes.Count} classes, {adapted.Steps} steps, support loss {adapted.SupportLoss:F4}); wrote {rows.Count} predictions to {outputPath}"));
        return 0;
    }
}
