
namespace MetaClassification;

/// <summary>
/// The <c>evaluate</c> command: for every task folder (support.csv, query.csv) under a directory, adapts the saved
/// learner to the support rows and scores the query rows, beside logistic regression and 1-nearest-neighbour fitted on
/// the same support rows.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "A learner saved by train --out.", Required = true };
        var tasks = new Option<DirectoryInfo>("--tasks") { Description = "A directory whose sub-folders each hold support.csv and query.csv.", Required = true };
        var steps = new Option<int?>("--inner-steps") { Description = "Test-time inner steps (default: the training value)." };
        var command = new Command("evaluate", "Score a saved learner on task folders beside logistic regression and 1-NN.") { model, tasks, steps };
        command.SetAction(parse =>
        {
            try
            {
                return Run(parse.GetValue(model)!.FullName, parse.GetValue(tasks)!.FullName, parse.GetValue(steps));
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private static int Run(string modelPath, string tasksPath, int? steps)
    {
        if (!Directory.Exists(tasksPath))
        {
            throw new ArgumentException($"There is no directory '{tasksPath}'; write task folders with generate --tasks N --out DIR.");
        }

        var folders = Directory.GetDirectories(tasksPath).Order(StringComparer.Ordinal)
            .Where(d => File.Exists(Path.Combine(d, "support.csv")) && File.Exists(Path.Combine(d, "query.csv"))).ToArray();
        if (folders.Length < 2)
        {
            throw new ArgumentException($"'{tasksPath}' has {folders.Length} task folder(s) with support.csv and query.csv; at least 2 are needed for a confidence interval.");
        }

        using var learner = LearnerFile.Load(modelPath);
        var meta = new List<double>();
        var logistic = new List<double>();
        var nearest = new List<double>();
        foreach (string folder in folders)
        {
            var support = CsvTable.Read(Path.Combine(folder, "support.csv"));
            var query = CsvTable.Read(Path.Combine(folder, "query.csv"));
            Tasks.CheckColumns(learner, support, query);
            var names = support.ClassNames();
            var index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => (long)p.i, StringComparer.Ordinal);
            var unknown = query.Labels!.FirstOrDefault(l => !index.ContainsKey(l));
            if (unknown is not null)
            {
                throw new ArgumentException($"{query.Path} has class '{unknown}', which {support.Path} does not have.");
            }

            long[] supportClasses = support.ClassIds().Select(c => (long)c).ToArray();
            long[] queryClasses = query.Labels!.Select(l => index[l]).ToArray();
            using var adapted = learner.Algorithm.Adapt(support.Features, supportClasses, new AdaptationOptions { Steps = steps });
            var probabilities = Tasks.Probabilities(adapted, query.Features, names.Count);
            meta.Add(Enumerable.Range(0, query.Count).Average(i => Enumerable.Range(0, names.Count).MaxBy(c => probabilities[i, c]) == queryClasses[i] ? 1.0 : 0.0));
            logistic.Add(Baselines.LogisticRegression(support.Features, supportClasses, query.Features, queryClasses, names.Count));
            nearest.Add(Baselines.NearestNeighbor(support.Features, supportClasses, query.Features, queryClasses, names.Count));
        }

        var (m, mh) = Evaluator.MeanWithConfidence(meta);
        var (l, lh) = Evaluator.MeanWithConfidence(logistic);
        var (n, nh) = Evaluator.MeanWithConfidence(nearest);
        var (d, dh) = Evaluator.MeanWithConfidence(meta.Zip(logistic, (a, b) => a - b).ToArray());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{folders.Length} tasks; query accuracy (95% CI): {learner.Algorithm.Name} {m:F4} ± {mh:F4}, logistic regression {l:F4} ± {lh:F4}, 1-NN {n:F4} ± {nh:F4}; meta − logistic regression (paired) {d:+0.0000;-0.0000} ± {dh:F4}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"logreg_accuracy={l:F4}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"nn1_accuracy={n:F4}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"meta_accuracy={m:F4}"));
        return 0;
    }
}
