using System.CommandLine;

namespace MetaClassification;

/// <summary>
/// Meta-classification sample: <c>generate</c> writes one make_classification draw to CSV; <c>train</c> meta-trains on
/// make_classification tasks and compares with training from scratch. Each command lives in its own file.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("Meta-learning on make_classification tasks with MetaLearn.");
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        return root.Parse(args).Invoke();
    }
}
