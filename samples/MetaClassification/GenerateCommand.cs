
namespace MetaClassification;

/// <summary>
/// The <c>generate</c> command: one make_classification draw written atomically to CSV (header f0..f{n-1},y), or, with
/// <c>--tasks N</c>, N task folders (<c>task000/support.csv</c>, <c>task000/query.csv</c>, ...) each from its own draw.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var flags = new MakeClassificationFlags(new MakeClassificationOptions());
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 0 };
        var tasks = new Option<int>("--tasks") { Description = "Write this many task folders into --out (a directory) instead of one CSV file.", DefaultValueFactory = _ => 0 };
        var ways = new Option<int>("--ways") { Description = "With --tasks: classes per task.", DefaultValueFactory = _ => 3 };
        var shots = new Option<int>("--shots") { Description = "With --tasks: labelled support rows per class.", DefaultValueFactory = _ => 5 };
        var queries = new Option<int>("--queries") { Description = "With --tasks: query rows per class.", DefaultValueFactory = _ => 15 };
        var output = new Option<FileInfo>("--out") { Description = "CSV file to write (a directory with --tasks).", Required = true };

        var command = new Command("generate", "Write one make_classification draw to CSV (header f0..f{n-1},y), or task folders with --tasks.");
        foreach (var option in flags.All.Concat(new Option[] { seed, tasks, ways, shots, queries, output }))
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            try
            {
                var generator = flags.Build(parse);
                int taskCount = parse.GetValue(tasks);
                string path = parse.GetValue(output)!.FullName;
                if (taskCount < 0)
                {
                    throw new ArgumentException($"--tasks must be zero or more (got {taskCount}).");
                }

                if (taskCount > 0)
                {
                    var taskOptions = new MakeClassificationTaskOptions
                    {
                        Generator = generator,
                        Ways = parse.GetValue(ways),
                        Shots = parse.GetValue(shots),
                        Queries = parse.GetValue(queries),
                    };
                    var sampler = TaskSamplers.MakeClassification(taskOptions);
                    for (int t = 0; t < taskCount; t++)
                    {
                        using var episode = sampler.Sample(Seeds.Derive(parse.GetValue(seed), 5, t));
                        CsvFiles.WriteTask(Path.Combine(path, $"task{t:D3}"), episode);
                    }

                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"wrote {taskCount} task folders ({taskOptions.Ways}-way, {taskOptions.Shots} support and {taskOptions.Queries} query rows per class; {MakeClassificationFlags.Describe(generator)}) to {path}"));
                    return 0;
                }

                using var data = MakeClassification.Generate(generator, parse.GetValue(seed));
                CsvFiles.Write(path, CsvFiles.FeatureHeader(data.Features) + ",y", Enumerable.Range(0, data.Count).Select(i =>
                    string.Join(",", data.Row(i).Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "," + data.Labels[i].ToString(CultureInfo.InvariantCulture)));
                Console.WriteLine($"wrote {data.Count} samples x {data.Features} features ({data.Classes.Count} classes) to {path}");
                return 0;
            }
            catch (ArgumentException e)
            {
                return MakeClassificationFlags.Fail(e);
            }
        });
        return command;
    }
}
