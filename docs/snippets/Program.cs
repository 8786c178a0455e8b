using Snippets;

// Runs the documentation's examples that print the figures its pages quote.
switch (args.FirstOrDefault())
{
    case "getting-started":
        GettingStarted.Run();
        return 0;
    case "algorithms":
        ChoosingAnAlgorithm.Run(args.Skip(1).ToArray());
        return 0;
    case "training-to-app":
        TrainingToApp.Run(Path.Combine(Path.GetTempPath(), $"metalearn-docs-{Environment.ProcessId}"));
        return 0;
    default:
        Console.Error.WriteLine("usage: Snippets getting-started | algorithms [name ...] | training-to-app");
        return 2;
}
