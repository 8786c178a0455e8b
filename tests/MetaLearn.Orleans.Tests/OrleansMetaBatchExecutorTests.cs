namespace MetaLearn.Distributed.Tests;

/// <summary>
/// Distributed training against the single-process training it must equal. The reference runs each meta-batch per
/// episode (TaskBatching = false): the decomposition the workers compute, with every task's share scaled by 1/T as the
/// per-episode loop scales it and the shares added in task order, as its gradient accumulation adds them. All silos run
/// in this process, so the thread count and CPU are the reference's too, and float32 is enough: the two computations are
/// the same operations on the same values (a task-batched reference would differ in the last bits, and the difference
/// would grow over 50 Adam steps).
/// </summary>
public sealed class OrleansMetaBatchExecutorTests(WorkerCluster cluster) : IClassFixture<WorkerCluster>
{
    private const int Iterations = 50;

    [Theory]
    [InlineData("maml")]
    [InlineData("protonet")]
    [InlineData("reptile")]
    public void AccumulateMetaGradient_OneTwoThreeWorkers_EqualSingleProcessMetaParameters(string algorithm)
    {
        var expected = Workloads.Train(algorithm, Iterations, Workloads.Sampler());
        for (int workers = 1; workers <= 3; workers++)
        {
            var executor = new OrleansMetaBatchExecutor(cluster.Client, new DistributedTrainingOptions { MaxWorkers = workers });
            var actual = Workloads.Train(algorithm, Iterations, Workloads.Sampler(), executor);

            Workloads.MaxRelativeDifference(actual, expected).Should().BeLessThanOrEqualTo(1e-6, $"{workers} worker(s) must give the single-process meta-parameters");
            var statistics = executor.Statistics;
            statistics.TasksByWorker.Should().HaveCount(workers, $"every allowed worker takes tasks (lost: {string.Join("; ", statistics.LostWorkers.Select(l => l.Key + ": " + l.Value))}; {statistics.IterationMilliseconds} ms)");
            statistics.TasksComputed.Should().Be(Iterations * Workloads.MetaBatchSize);
            statistics.RefusedWorkers.Should().BeEmpty();
        }
    }
}
