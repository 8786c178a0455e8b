using MetaLearn.Sampling;
using MetaLearn.Training;

namespace MetaLearn.Distributed.Tests;

/// <summary>
/// Faults, on a cluster of its own: four worker silos, one of which (Silo_2) can be held inside a task and stopped
/// there, and one (Silo_3) whose sampler draws other tasks (other shots), so it must be refused.
/// </summary>
public sealed class WorkerLossTests(WorkerLossTests.Cluster cluster) : IClassFixture<WorkerLossTests.Cluster>
{
    private const int Iterations = 20;

    private static readonly MakeClassificationTaskOptions Tasks = MakeClassificationTaskOptions.Workload;

    [Fact]
    public async Task Train_WorkerSiloKilledWhileComputingATask_SameMetaParametersAsUndisturbedRun()
    {
        var expected = Workloads.Train("maml", Iterations, new GateSampler(Tasks));
        var executor = new OrleansMetaBatchExecutor(cluster.Client);
        var victim = cluster.Cluster.Silos.Single(s => s.Name == "Silo_2");
        Task? kill = null;
        var progress = TrainingProgress.Synchronous(p =>
        {
            if (p.Iteration == 5)
            {
                // The victim's next task (in meta-iteration 6) holds; the silo is killed while it computes it.
                cluster.Gate.Arm();
                kill = Task.Run(async () =>
                {
                    cluster.Gate.WaitEntered(TimeSpan.FromSeconds(60)).Should().BeTrue("the victim takes tasks in every meta-iteration");
                    await cluster.Cluster.KillSiloAsync(victim);
                    cluster.Gate.Open();
                });
            }
        });

        var actual = Workloads.Train("maml", Iterations, new GateSampler(Tasks), executor, progress);
        await kill!.WaitAsync(TimeSpan.FromSeconds(60));

        Workloads.MaxRelativeDifference(actual, expected).Should().BeLessThanOrEqualTo(1e-6);
        var statistics = executor.Statistics;
        statistics.TasksReassigned.Should().BeGreaterThanOrEqualTo(1, "the task the victim held was computed by another worker");
        statistics.LostWorkers.Should().ContainKey(victim.SiloAddress.ToParsableString());
        statistics.TasksByWorker[victim.SiloAddress.ToParsableString()].Should().BeGreaterThan(0, "the victim worked before it was killed");
        statistics.TasksComputed.Should().Be(Iterations * Workloads.MetaBatchSize);
    }

    [Fact]
    public async Task Train_WorkerSiloJoiningMidRun_TakesTasksFromTheNextIteration_SameMetaParametersAsUndisturbedRun()
    {
        var expected = Workloads.Train("maml", Iterations, new GateSampler(Tasks));
        var executor = new OrleansMetaBatchExecutor(cluster.Client);
        var management = cluster.Client.GetGrain<IManagementGrain>(0);
        var before = (await management.GetHosts(onlyActive: true)).Keys.Select(s => s.ToParsableString()).ToHashSet();
        string? joined = null;
        int tasksBeforeJoin = -1;
        var progress = TrainingProgress.Synchronous(p =>
        {
            if (p.Iteration == 5)
            {
                // A new worker silo starts between meta-iterations 5 and 6 and is active before iteration 6 begins.
                tasksBeforeJoin = executor.Statistics.TasksComputed;
                var silo = cluster.Cluster.StartAdditionalSiloAsync().GetAwaiter().GetResult();
                joined = silo.SiloAddress.ToParsableString();
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (!management.GetHosts(onlyActive: true).GetAwaiter().GetResult().Keys.Any(s => s.ToParsableString() == joined))
                {
                    DateTime.UtcNow.Should().BeBefore(deadline, "the started silo becomes active");
                    Thread.Sleep(50);
                }
            }
        });

        var actual = Workloads.Train("maml", Iterations, new GateSampler(Tasks), executor, progress);

        Workloads.MaxRelativeDifference(actual, expected).Should().BeLessThanOrEqualTo(1e-6);
        var after = (await management.GetHosts(onlyActive: true)).Keys.Select(s => s.ToParsableString()).ToHashSet();
        after.Except(before).Should().Equal(new[] { joined }, "the one host that became active during training is the silo started at iteration 5");
        tasksBeforeJoin.Should().Be(5 * Workloads.MetaBatchSize);
        var statistics = executor.Statistics;
        statistics.TasksByWorker.Should().ContainKey(joined!).WhoseValue.Should().BeGreaterThan(0, "the worker that joined took tasks in the iterations after it joined");
        statistics.TasksComputed.Should().Be(Iterations * Workloads.MetaBatchSize);
        statistics.RefusedWorkers.Should().NotContainKey(joined!);
    }

    [Fact]
    public void Train_WorkerWhoseSamplerDrawsOtherTasks_RefusedNeverSummedIn()
    {
        var expected = Workloads.Train("reptile", 5, new GateSampler(Tasks));
        var executor = new OrleansMetaBatchExecutor(cluster.Client);

        var actual = Workloads.Train("reptile", 5, new GateSampler(Tasks), executor);

        Workloads.MaxRelativeDifference(actual, expected).Should().BeLessThanOrEqualTo(1e-6);
        string odd = cluster.Cluster.Silos.Single(s => s.Name == "Silo_3").SiloAddress.ToParsableString();
        executor.Statistics.RefusedWorkers.Should().ContainKey(odd).WhoseValue.Should().Contain("none of this worker's samplers draws the coordinator's episodes").And.Contain("Shots = 4");
        executor.Statistics.TasksByWorker.Should().NotContainKey(odd);
    }

    /// <summary>The fault-test cluster: four silos and the gate of Silo_2.</summary>
    public sealed class Cluster : WorkerCluster
    {
        public GateSampler.Gate Gate { get; } = new();

        protected override short Silos => 4;

        protected override MetaWorkerOptions WorkerOptions(string silo) => new()
        {
            Samplers = new ITaskSampler[]
            {
                silo switch
                {
                    "Silo_2" => new GateSampler(Tasks, Gate),
                    "Silo_3" => new GateSampler(Tasks with { Shots = 4 }),
                    _ => new GateSampler(Tasks),
                },
            },
        };
    }
}
