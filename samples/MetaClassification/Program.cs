using System.CommandLine;

namespace MetaClassification;

/// <summary>
/// Meta-classification sample: <c>generate</c> writes one make_classification draw to CSV. Further commands
/// (e.g. <c>train</c>) each live in their own file and are added to the root command here.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("Meta-learning on make_classification tasks with MetaLearn.");
        root.Subcommands.Add(GenerateCommand.Create());

        // A `train` command slots in here: root.Subcommands.Add(TrainCommand.Create());
        return root.Parse(args).Invoke();
    }
}
