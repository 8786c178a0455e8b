// Times the workloads of WORKLOADS.md through MetaLearn's public API and prints, per workload,
//   <name> ms_per_meta_iteration=<median, first excluded> final_metric=<value or nan>
// See ../README.md for the commands.
using System.CommandLine;
using MetaLearn.Benchmarks;
using static TorchSharp.torch;

string[] names = Workload.All.Concat(Workload.Algorithms).Select(w => w.Name).Prepend("algorithms").Prepend("all").ToArray();
var workload = new Option<string>("--workload") { Description = "Workload to run, all (the WORKLOADS.md three) or algorithms (the newer algorithms on sine and makeclass).", DefaultValueFactory = _ => "all" };
workload.AcceptOnlyFromAmong(names);
var iterations = new Option<int>("--iterations") { Description = "Timed meta-iterations (omniglot runs max(3, N/10)).", DefaultValueFactory = _ => 30 };
var threads = new Option<int>("--threads") { Description = "Intra-op threads (torch.set_num_threads).", DefaultValueFactory = _ => 2 };
var perTask = new Option<bool>("--per-task") { Description = "Adapt task by task (InnerLoopOptions.TaskBatching = false) instead of task-batched." };
var handwritten = new Option<bool>("--handwritten") { Description = "Run the hand-written TorchSharp MAML loop instead (sine-maml and makeclass-maml); names end in -handwritten." };
var converted = new Option<bool>("--converted") { Description = "Run the model converted from TorchSharp modules (FunctionalModel.FromModule of the built-in's ToModule); names end in -converted." };
var parallelTasks = new Option<int>("--parallel-tasks") { Description = "InnerLoopOptions.ParallelTasks of the MAML workloads: tasks of a per-episode meta-batch (omniglot-conv4-maml) computed at once, the --threads intra-op threads divided among them.", DefaultValueFactory = _ => 1 };
var prefetch = new Option<int>("--prefetch") { Description = "Meta-batches prepared ahead on a background thread; 0 (default) draws tasks inside the timed iteration, like the reference.", DefaultValueFactory = _ => 0 };

var memoryIterations = new Option<int>("--iterations") { Description = "Meta-iterations of sine-maml.", DefaultValueFactory = _ => 2000 };
var memoryThreads = new Option<int>("--threads") { Description = "Intra-op threads.", DefaultValueFactory = _ => 2 };
var memoryPerTask = new Option<bool>("--per-task") { Description = "Adapt task by task instead of task-batched." };
var memory = new Command("memory", "Runs sine-maml and prints resident memory every 100 iterations; last line rss_growth_percent=<growth from iteration 100 to the end>.")
{
    memoryIterations, memoryThreads, memoryPerTask,
};
memory.SetAction(parse =>
{
    if (!SetThreads(parse.GetValue(memoryThreads)))
    {
        return 2;
    }

    return MemoryRun.Run(parse.GetValue(memoryIterations), parse.GetValue(memoryPerTask), Console.Out);
});

var soakMinutes = new Option<double>("--minutes") { Description = "How long the pressured run trains.", DefaultValueFactory = _ => 30 };
var soakPrefetch = new Option<int>("--prefetch") { Description = "Meta-batches prepared ahead on a background thread in the pressured run.", DefaultValueFactory = _ => 2 };
var soakThreads = new Option<int>("--threads") { Description = "Intra-op threads.", DefaultValueFactory = _ => 1 };
var soakQuiet = new Option<string?>("--quiet") { Description = "Write the losses of a quiet run (no prefetch, no pressure) to this file instead." };
var soakReference = new Option<string?>("--reference") { Description = "Compare with the losses file of a --quiet run instead of training the quiet run afterwards." };
var soak = new Command("soak", "Trains makeclass-maml with prefetching while a second thread forces gen-0 collections, then compares with a quiet run; prints soak result=pass|fail.")
{
    soakMinutes, soakPrefetch, soakThreads, soakQuiet, soakReference,
};
soak.SetAction(parse =>
{
    if (!SetThreads(parse.GetValue(soakThreads)) || parse.GetValue(soakMinutes) <= 0 || parse.GetValue(soakPrefetch) < 1)
    {
        return 2;
    }

    return parse.GetValue(soakQuiet) is string quietFile
        ? SoakRun.RunQuiet(parse.GetValue(soakMinutes), quietFile, Console.Out)
        : SoakRun.Run(parse.GetValue(soakMinutes), parse.GetValue(soakPrefetch), parse.GetValue(soakReference), Console.Out);
});

var stepsAlgorithm = new Option<string>("--algorithm") { Description = "maml (second order) or imaml.", DefaultValueFactory = _ => "imaml" };
stepsAlgorithm.AcceptOnlyFromAmong("maml", "imaml");
var stepsCount = new Option<int>("--steps") { Description = "Inner steps.", DefaultValueFactory = _ => 5 };
var stepsIterations = new Option<int>("--iterations") { Description = "Meta-iterations.", DefaultValueFactory = _ => 3 };
var stepsThreads = new Option<int>("--threads") { Description = "Intra-op threads.", DefaultValueFactory = _ => 1 };
var innerMemory = new Command("inner-memory", "Meta-trains sine-maml's setup with MAML or iMAML and N inner steps; prints the resident memory before and the peak after (run once per process).")
{
    stepsAlgorithm, stepsCount, stepsIterations, stepsThreads,
};
innerMemory.SetAction(parse =>
{
    if (!SetThreads(parse.GetValue(stepsThreads)) || parse.GetValue(stepsCount) < 1 || parse.GetValue(stepsIterations) < 1)
    {
        return 2;
    }

    return InnerStepsMemoryRun.Run(parse.GetValue(stepsAlgorithm)!, parse.GetValue(stepsCount), parse.GetValue(stepsIterations), Console.Out);
});

var killRounds = new Option<int>("--rounds") { Description = "Rounds: start a child that saves checkpoints in a loop, kill it, check the file.", DefaultValueFactory = _ => 100 };
var killSeed = new Option<int>("--seed") { Description = "Seed of the kill moments.", DefaultValueFactory = _ => 1 };
var killDelay = new Option<int>("--max-delay") { Description = "Kill the child 0..this many milliseconds after it is ready.", DefaultValueFactory = _ => 3000 };
var killDir = new Option<string>("--dir") { Description = "Folder for the checkpoint file.", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "metalearn-killtest") };
var killThreads = new Option<int>("--threads") { Description = "Intra-op threads of parent and child.", DefaultValueFactory = _ => 1 };
var killtest = new Command("killtest", "Kills a child process at random moments while it saves checkpoints of a 1M-parameter MLP; after every kill the file must load and be the previous or the new checkpoint. Prints killtest: R/R rounds ok.")
{
    killRounds, killSeed, killDelay, killDir, killThreads,
};
killtest.SetAction(parse =>
{
    if (!SetThreads(parse.GetValue(killThreads)) || parse.GetValue(killRounds) < 1 || parse.GetValue(killDelay) < 0)
    {
        return 2;
    }

    return KillTestRun.Run(parse.GetValue(killRounds), parse.GetValue(killSeed), parse.GetValue(killDelay), parse.GetValue(killThreads), parse.GetValue(killDir)!, Console.Out);
});

var childPath = new Option<string>("--path") { Description = "Checkpoint file.", Required = true };
var childThreads = new Option<int>("--threads") { Description = "Intra-op threads.", DefaultValueFactory = _ => 1 };
var killtestChild = new Command("killtest-child", "The child of killtest: resumes from --path if it exists, then trains and saves until killed.") { childPath, childThreads };
killtestChild.Hidden = true;
killtestChild.SetAction(parse => SetThreads(parse.GetValue(childThreads)) ? KillTestRun.RunChild(parse.GetValue(childPath)!, Console.Out) : 2);

var root = new RootCommand("MetaLearn benchmark: the workloads of WORKLOADS.md, timed like reference_maml.py.")
{
    workload, iterations, threads, perTask, handwritten, prefetch, converted, parallelTasks,
};
root.Subcommands.Add(memory);
root.Subcommands.Add(soak);
root.Subcommands.Add(innerMemory);
root.Subcommands.Add(killtest);
root.Subcommands.Add(killtestChild);
root.SetAction(parse => RunWorkloads(
    parse.GetValue(workload)!, parse.GetValue(iterations), parse.GetValue(threads), parse.GetValue(perTask), parse.GetValue(handwritten), parse.GetValue(prefetch), parse.GetValue(converted), parse.GetValue(parallelTasks)));
return root.Parse(args).Invoke();

static int RunWorkloads(string name, int iterations, int threads, bool perTask, bool handwritten, int prefetch, bool converted, int parallelTasks)
{
    if (iterations < 1 || prefetch < 0 || parallelTasks < 1 || !SetThreads(threads))
    {
        Console.Error.WriteLine("--iterations and --parallel-tasks must be at least 1 and --prefetch at least 0.");
        return 2;
    }

    var selected = Workload.All.Where(w => name == "all" || w.Name == name)
        .Concat(Workload.Algorithms.Where(w => name == "algorithms" || w.Name == name))
        .Select(w => converted ? w.Converted() : w)
        .Select(w => w with { Inner = w.Inner with { ParallelTasks = parallelTasks } }).ToArray();
    Console.Error.WriteLine($"# engine={(handwritten ? "handwritten" : perTask ? "per-task" : "task-batched")} threads={get_num_threads()} iterations={iterations} prefetch={prefetch} converted={converted} parallel_tasks={parallelTasks}");
    foreach (var w in selected)
    {
        ResultLine? line = handwritten
            ? HandwrittenMaml.For(w.Name, iterations)
            : WorkloadRunner.Run(w, iterations, perTask, prefetch);
        if (line is null)
        {
            Console.Error.WriteLine($"# {w.Name}: no hand-written version; skipped.");
            continue;
        }

        Console.WriteLine(line);
    }

    return 0;
}

static bool SetThreads(int threads)
{
    if (threads < 1)
    {
        Console.Error.WriteLine("--threads must be at least 1.");
        return false;
    }

    set_num_threads(threads);
    return true;
}
