
namespace MetaClassification;

/// <summary>
/// Meta-classification sample, from meta-training to an app: <c>generate</c> writes make_classification data (one CSV, or
/// task folders); <c>train</c> meta-trains, compares with baselines and saves the learner; <c>adapt</c> adapts a saved
/// learner to a support CSV and predicts another CSV; <c>evaluate</c> scores it on task folders beside the baselines.
/// Each command lives in its own file.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("Meta-learning on make_classification tasks with MetaLearn.");
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(AdaptCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        return root.Parse(args).Invoke();
    }
}
