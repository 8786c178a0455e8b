using MetaLearn.Algorithms;
using MetaLearn.Deployment;
using MetaLearn.Models;
using MetaLearn.Tasks;
using MetaLearn.Training;

namespace MetaLearn.Distributed.Tests;

/// <summary>
/// Distributed training against the single-process training it must equal. The reference runs each meta-batch per
/// episode (TaskBatching = false): the decomposition the workers compute, with every task's share scaled by 1/T as the
/// per-episode loop scales it and the shares added in task order, as its gradient accumulation adds them. All silos run
/// in this process, so the thread count and CPU are the reference's too, and float32 is enough: the two computations are
/// the same operations on the same values (a task-batched reference would differ in the last bits, and the difference
/// would grow over 50 Adam steps).
/// </summary>
[Collection(WorkerCluster.Collection)]
public sealed class OrleansMetaBatchExecutorTests(WorkerCluster cluster)
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

    [Fact]
    public void AccumulateMetaGradient_ConvertedModuleKind_EqualsSingleProcess()
    {
        // A TorchSharp module converted to a functional model: workers build it from the registered kind, as a learner file does.
        ModelArchitecture.RegisterModule("orleans-tests-net", () => nn.Sequential(nn.Linear(20, 16), nn.Tanh(), nn.Linear(16, 3)));
        float[][] Run(IMetaBatchExecutor? executor)
        {
            using var model = ModelArchitecture.Module("orleans-tests-net").Build();
            using var learner = new Maml(model, new InnerLoopOptions { Steps = 1, StepSize = 0.1, TaskBatching = false });
            using (no_grad())
            {
                foreach (var p in model.Parameters)
                {
                    p.copy_(linspace(-0.5, 0.5, p.NumberOfElements).reshape(p.shape));
                }
            }

            using var trainer = new MetaTrainer(learner, Workloads.Training(10, executor));
            trainer.Train(Workloads.Sampler());
            return learner.MetaParameters.Select(p => p.detach().data<float>().ToArray()).ToArray();
        }

        var expected = Run(null);
        var executor = new OrleansMetaBatchExecutor(cluster.Client, new DistributedTrainingOptions { Architecture = ModelArchitecture.Module("orleans-tests-net") });
        var actual = Run(executor);

        Workloads.MaxRelativeDifference(actual, expected).Should().BeLessThanOrEqualTo(1e-6);
        executor.Statistics.TasksByWorker.Should().HaveCount(3);
    }

    [Fact]
    public void AccumulateMetaGradient_ModelWithDropout_RefusedBeforeAnythingChanges()
    {
        ModelArchitecture.RegisterModule("orleans-tests-dropout", () => nn.Sequential(nn.Linear(20, 16), nn.Dropout(0.5), nn.Linear(16, 3)));
        using var model = ModelArchitecture.Module("orleans-tests-dropout").Build();
        using var learner = new Maml(model, new InnerLoopOptions { Steps = 1, StepSize = 0.1, TaskBatching = false });
        var before = model.Parameters.Select(p => p.detach().clone()).ToArray();
        using var trainer = new MetaTrainer(learner, Workloads.Training(3, new OrleansMetaBatchExecutor(cluster.Client, new DistributedTrainingOptions { Architecture = ModelArchitecture.Module("orleans-tests-dropout") })));

        var act = () => trainer.Train(Workloads.Sampler());

        act.Should().Throw<NotSupportedException>().WithMessage("*dropout*");
        trainer.Iteration.Should().Be(0);
        model.Parameters.Zip(before, (p, b) => p.allclose(b, 0, 0)).Should().AllBeEquivalentTo(true);
    }

    [Fact]
    public void AccumulateMetaGradient_AlgorithmThatIsNotPerTask_RefusedWithMessage()
    {
        var (model, maml) = Workloads.Create("maml");
        using (model)
        using (maml)
        using (var custom = new WrappedAlgorithm(maml))
        {
            var executor = new OrleansMetaBatchExecutor(cluster.Client);

            var act = () => executor.AccumulateMetaGradient(custom, Workloads.Sampler(), 0, new[] { 1, 2 }, CancellationToken.None);

            act.Should().Throw<NotSupportedException>().WithMessage("*'wrapped'*cannot be trained across machines*sum of per-task terms*");
        }
    }

    [Fact]
    public void AccumulateMetaGradient_ModelWithRunningStatistics_RefusedWithMessage()
    {
        using var model = new Conv4(new Conv4Options { Ways = 3, Channels = 2, ImageSize = 8, Blocks = 2, BatchNormStatistics = BatchNormStatistics.Running });
        using var maml = new Maml(model, new InnerLoopOptions { TaskBatching = false });
        var executor = new OrleansMetaBatchExecutor(cluster.Client);

        var act = () => executor.AccumulateMetaGradient(maml, Workloads.Sampler(), 0, new[] { 1, 2 }, CancellationToken.None);

        act.Should().Throw<NotSupportedException>().WithMessage("*running_mean*does not decompose by task*");
    }

    /// <summary>An algorithm MetaLearn does not know: the coordinator cannot tell whether its meta-gradient is a sum over tasks.</summary>
    private sealed class WrappedAlgorithm(IMetaAlgorithm inner) : IMetaAlgorithm
    {
        public string Name => "wrapped";

        public IFunctionalModel Model => inner.Model;

        public IReadOnlyList<TorchSharp.Modules.Parameter> MetaParameters => inner.MetaParameters;

        public MetaBatchResult AccumulateMetaGradient(IReadOnlyList<Episode> episodes, int iteration) => inner.AccumulateMetaGradient(episodes, iteration);

        public Tensor PredictQuery(Episode episode) => inner.PredictQuery(episode);

        public void Dispose()
        {
        }
    }
}
