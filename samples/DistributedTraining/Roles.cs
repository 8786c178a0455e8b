using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace DistributedTraining;

/// <summary>The three roles: a worker silo, a coordinator (an Orleans client that trains), and the same training in one process.</summary>
internal static class Roles
{
    /// <summary>The first worker's silo port; the first worker is the localhost cluster's primary (it holds the membership table).</summary>
    public const int PrimarySiloPort = 11111;

    /// <summary>The first worker's gateway port, which coordinators connect to.</summary>
    public const int PrimaryGatewayPort = 30000;

    /// <summary>Joins (or, as the first, starts) the localhost cluster and computes tasks until stopped (Ctrl+C).</summary>
    public static int Worker(int? port)
    {
        using var workload = new Workload(withValidation: false);
        int offset = port is int p ? p - PrimarySiloPort : Enumerable.Range(0, 64).First(k => Free(PrimarySiloPort + k) && Free(PrimaryGatewayPort + k));
        bool primary = offset == 0;
        var builder = Host.CreateApplicationBuilder();
        Quiet(builder.Logging);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(PrimarySiloPort + offset, PrimaryGatewayPort + offset, primary ? null : new IPEndPoint(IPAddress.Loopback, PrimarySiloPort));
            silo.AddMetaLearnWorker(new MetaWorkerOptions { Samplers = new[] { workload.Training } });
        });
        using var host = builder.Build();
        host.Start();
        Console.WriteLine($"worker ready: silo port {PrimarySiloPort + offset}, gateway {PrimaryGatewayPort + offset}{(primary ? " (primary: keep this worker running)" : string.Empty)}, {get_num_threads()} thread(s); Ctrl+C stops it");
        host.WaitForShutdown();
        return 0;
    }

    /// <summary>Trains with the cluster's workers computing the meta-batches; prints the result line.</summary>
    public static int Coordinator(Settings settings, CheckpointSession session)
    {
        var builder = Host.CreateApplicationBuilder();
        Quiet(builder.Logging);
        builder.UseOrleansClient(client => client
            .UseLocalhostClustering(settings.Gateway)
            .Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(60)));
        using var host = builder.Build();
        host.Start();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MetaLearn.Distributed");
        var executor = new OrleansMetaBatchExecutor(host.Services.GetRequiredService<IClusterClient>(), logger: logger);
        int status = Train(settings, session, executor);
        var s = executor.Statistics;
        Console.Error.WriteLine(
            $"# {s.Iterations} meta-iterations, {s.TasksComputed} tasks on {s.TasksByWorker.Count} worker(s) " +
            $"({string.Join(", ", s.TasksByWorker.Select(w => $"{w.Key}: {w.Value}"))}), {s.TasksReassigned} reassigned after a lost worker, " +
            $"{(s.BytesSent + s.BytesReceived) / Math.Max(1, s.Iterations) / 1e6:F1} MB per iteration");
        host.StopAsync().GetAwaiter().GetResult();
        return status;
    }

    /// <summary>The same training in this process.</summary>
    public static int Local(Settings settings, CheckpointSession session) => Train(settings, session, executor: null);

    private static int Train(Settings settings, CheckpointSession session, IMetaBatchExecutor? executor)
    {
        using var workload = new Workload(withValidation: true);
        var (model, metaAlgorithm) = Workload.CreateAlgorithm(settings.Seed);
        using (model)
        using (metaAlgorithm)
        {
            using var trainer = new MetaTrainer(metaAlgorithm, new MetaTrainerOptions
            {
                Iterations = settings.Iterations,
                MetaBatchSize = settings.MetaBatch,
                Seed = settings.Seed,
                ProgressInterval = 1,
                Checkpoint = session.Options(),
                MetaBatchExecutor = executor,
            });
            session.Attach(trainer);
            var clock = Stopwatch.StartNew();
            var progress = TrainingProgress.Synchronous(p =>
                Console.Error.WriteLine(FormattableString.Invariant($"# iteration {p.Iteration}: query loss {p.QueryLoss:F4}, accuracy {p.QueryAccuracy:F3} ({clock.Elapsed.TotalSeconds:F1} s)")));
            var result = trainer.Train(workload.Training, progress: progress, cancellationToken: session.Stop);
            var validation = Evaluator.Evaluate(metaAlgorithm, workload.Validation!, settings.ValidationEpisodes, Seeds.Derive(settings.Seed, 5, 0));
            Console.Error.WriteLine(FormattableString.Invariant($"# {result.Iterations} iterations, median {result.MedianIterationMilliseconds:F0} ms per meta-iteration"));
            Console.WriteLine(FormattableString.Invariant($"final_query_loss={result.QueryLosses[^1]:F4} validation_accuracy={validation.MeanAccuracy:F4}"));
            return 0;
        }
    }

    private static void Quiet(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o => o.SingleLine = true);
        logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddFilter("Orleans", LogLevel.Error);
        logging.AddFilter("MetaLearn", LogLevel.Information);
    }

    private static bool Free(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
