// One process with N threads against N worker processes with 1 thread each (and a coordinator process), for the
// benchmark specification's omniglot-conv4-maml and makeclass-maml: ms per meta-iteration, payload bytes per
// meta-iteration, and the share of the distributed iteration spent outside computing. Usage:
//   DistributedBenchmarks [--workload omniglot-conv4-maml|makeclass-maml|all] [--iterations N] [--workers N]
// Internal: --role worker --workload W --port P starts one worker process (the benchmark starts them itself).
using System.Diagnostics;
using System.Globalization;
using System.Net;
using MetaLearn.Algorithms;
using MetaLearn.Benchmarks;
using MetaLearn.Distributed;
using MetaLearn.Models;
using MetaLearn.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using static TorchSharp.torch;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
const int SiloPort = 21111;
const int GatewayPort = 41111;
var workloads = new[] { Workload.OmniglotConv4Maml, Workload.MakeClassMaml };
string chosen = Arg("--workload", "all");
int iterations = int.Parse(Arg("--iterations", "8"), CultureInfo.InvariantCulture);
int workers = int.Parse(Arg("--workers", "2"), CultureInfo.InvariantCulture);

if (Arg("--role", "benchmark") == "worker")
{
    set_num_threads(1);
    int port = int.Parse(Arg("--port", SiloPort.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
    var samplers = workloads.Select(w => w.CreateSampler()).ToArray();
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.ClearProviders();
    builder.UseOrleans(silo => silo
        .UseLocalhostClustering(port, GatewayPort + (port - SiloPort), port == SiloPort ? null : new IPEndPoint(IPAddress.Loopback, SiloPort))
        .AddMetaLearnWorker(new MetaWorkerOptions { Samplers = samplers }));
    using var host = builder.Build();
    host.Run();
    return 0;
}

Console.WriteLine($"# load average before: {File.ReadAllText("/proc/loadavg").Trim()}");
foreach (var workload in workloads.Where(w => chosen == "all" || w.Name == chosen))
{
    set_num_threads(workers);
    double local = Local(workload, iterations, perTask: false);
    using (var probe = workload.CreateModel())
    {
        // Conv4 runs per task by default; an MLP runs task-batched, and its per-task path is the workers' decomposition.
        string perTask = probe.SupportsTaskBatching ? FormattableString.Invariant($" per_task_path_ms={Local(workload, iterations, perTask: true):F1}") : string.Empty;
        Console.WriteLine(FormattableString.Invariant($"{workload.Name} mode=one-process threads={workers} ms_per_meta_iteration={local:F1}{perTask}"));
    }

    set_num_threads(1);
    Distributed(workload, iterations, workers);
}

Console.WriteLine($"# load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
return 0;

// The plain trainer in this process: median ms per meta-iteration (first excluded).
static double Local(Workload workload, int iterations, bool perTask)
{
    using var model = workload.CreateModel();
    using var learner = Create(workload, model, perTask);
    using var trainer = new MetaTrainer(learner, new MetaTrainerOptions { Iterations = iterations, MetaBatchSize = workload.MetaBatchSize, OuterLearningRate = Workload.OuterLearningRate });
    return trainer.Train(workload.CreateSampler()).MedianIterationMilliseconds;
}

static IMetaAlgorithm Create(Workload workload, IFunctionalModel model, bool perTask) => new Maml(model, workload.Inner with { TaskBatching = !perTask });

// N worker processes (1 thread each) and this process as coordinator (an Orleans client).
void Distributed(Workload workload, int iterations, int count)
{
    string self = Environment.ProcessPath!;
    string? dll = Environment.GetCommandLineArgs()[0].EndsWith(".dll", StringComparison.Ordinal) ? Environment.GetCommandLineArgs()[0] : null;
    var processes = Enumerable.Range(0, count).Select(k =>
    {
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (dll is not null)
        {
            start.ArgumentList.Add(dll);
        }

        foreach (var a in new[] { "--role", "worker", "--port", (SiloPort + k).ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(a);
        }

        var p = Process.Start(start)!;
        Thread.Sleep(k == 0 ? 4000 : 0);
        return p;
    }).ToArray();
    try
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(c => c.UseLocalhostClustering(GatewayPort).Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromMinutes(2)));
        using var host = builder.Build();
        host.Start();
        var client = host.Services.GetRequiredService<IClusterClient>();
        while (client.GetGrain<IManagementGrain>(0).GetHosts(true).GetAwaiter().GetResult().Count < count)
        {
            Thread.Sleep(250);
        }

        using var model = workload.CreateModel();
        using var learner = Create(workload, model, perTask: true);
        var executor = new OrleansMetaBatchExecutor(client);
        using var trainer = new MetaTrainer(learner, new MetaTrainerOptions { Iterations = 1, MetaBatchSize = workload.MetaBatchSize, OuterLearningRate = Workload.OuterLearningRate, MetaBatchExecutor = executor });
        var sampler = workload.CreateSampler();
        trainer.Train(sampler);
        var warm = executor.Statistics;
        var clock = Stopwatch.StartNew();
        var times = new List<double>();
        for (int i = 0; i < iterations; i++)
        {
            var lap = Stopwatch.StartNew();
            trainer.Train(sampler);
            times.Add(lap.Elapsed.TotalMilliseconds);
        }

        var s = executor.Statistics;
        int n = s.Iterations - warm.Iterations;
        double wall = s.IterationMilliseconds - warm.IterationMilliseconds;
        double compute = s.WorkerComputeMilliseconds - warm.WorkerComputeMilliseconds;
        int tasks = s.TasksComputed - warm.TasksComputed;
        times.Sort();
        Console.WriteLine(FormattableString.Invariant(
            $"{workload.Name} mode=distributed workers={count} threads_per_worker=1 ms_per_meta_iteration={times[times.Count / 2]:F1} bytes_sent_per_iteration={(s.BytesSent - warm.BytesSent) / n} bytes_received_per_iteration={(s.BytesReceived - warm.BytesReceived) / n} per_task_compute_ms={compute / tasks:F2} outside_compute_share={1 - (compute / (count * wall)):F3} parameters={learner.MetaParameters.Sum(p => p.NumberOfElements)}"));
        host.StopAsync().GetAwaiter().GetResult();
    }
    finally
    {
        foreach (var p in processes)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            p.Dispose();
        }
    }
}
