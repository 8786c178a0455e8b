// Meta-trains Conv4 MAML on Omniglot episodes across processes on Orleans: `--role worker` joins (or starts) a
// localhost cluster and computes tasks, `--role coordinator` trains with the workers' help, `--role local` runs the
// same training in one process. Coordinator and local print the same last line for the same --seed and --iterations.
using DistributedTraining;

var role = new Option<string>("--role") { Description = "worker | coordinator | local", DefaultValueFactory = _ => "local" };
role.AcceptOnlyFromAmong("worker", "coordinator", "local");
var iterations = new Option<int>("--iterations") { Description = "Meta-iterations (with --resume: this many more).", DefaultValueFactory = _ => 10 };
var seed = new Option<int>("--seed") { Description = "Seed of the model and the episodes.", DefaultValueFactory = _ => 0 };
var metaBatch = new Option<int>("--meta-batch") { Description = "Episodes (tasks) per meta-iteration.", DefaultValueFactory = _ => 8 };
var validationEpisodes = new Option<int>("--validation-episodes") { Description = "5-way 1-shot episodes of the final validation.", DefaultValueFactory = _ => 50 };
var threads = new Option<int>("--threads")
{
    Description = "libtorch intra-op threads of this process; equal results need equal thread counts in every process.",
    DefaultValueFactory = _ => 1,
};
var port = new Option<int?>("--port") { Description = $"Worker: silo port (gateway = port + {Roles.PrimaryGatewayPort - Roles.PrimarySiloPort}); default: {Roles.PrimarySiloPort} if free (the primary), else the next free one." };
var gateway = new Option<int>("--gateway") { Description = "Coordinator: the gateway port of a worker to connect to.", DefaultValueFactory = _ => Roles.PrimaryGatewayPort };

var root = new RootCommand("Meta-training across processes on Orleans; coordinator and local print final_query_loss=... validation_accuracy=... last.")
{
    role, iterations, seed, metaBatch, validationEpisodes, threads, port, gateway,
};
var checkpoints = new CheckpointFlags();
checkpoints.AddTo(root);
root.SetAction(parse =>
{
    CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
    if (parse.GetValue(iterations) < 1 || parse.GetValue(metaBatch) < 1 || parse.GetValue(threads) < 1 || parse.GetValue(validationEpisodes) < 2)
    {
        Console.Error.WriteLine("--iterations, --meta-batch and --threads must be at least 1, --validation-episodes at least 2.");
        return 2;
    }

    set_num_threads(parse.GetValue(threads));
    var settings = new Settings(parse.GetValue(iterations), parse.GetValue(seed), parse.GetValue(metaBatch), parse.GetValue(validationEpisodes), parse.GetValue(gateway));
    return parse.GetValue(role) switch
    {
        "worker" => Roles.Worker(parse.GetValue(port)),
        "coordinator" => checkpoints.Run(parse, session => Roles.Coordinator(settings, session)),
        _ => checkpoints.Run(parse, session => Roles.Local(settings, session)),
    };
});
return root.Parse(args).Invoke();
