using MetaLearn.Algorithms;
using MetaLearn.Models;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

/// <summary>
/// <see cref="InnerLoopOptions.ParallelTasks"/> checks that change libtorch's intra-op thread count or count every live
/// tensor wrapper of the process, so they run with no other test at the same time.
/// </summary>
[Collection(GlobalRandomCollection.Name)]
public sealed class ParallelTasksAloneTests
{
    /// <summary>
    /// With one intra-op thread on the calling thread, each worker also gets one, so every task's kernels run exactly as
    /// one at a time; the meta-gradient, added in task order, is then the same bits as backward's accumulation.
    /// </summary>
    [Fact]
    public void AccumulateMetaGradient_OneIntraOpThread_SameBitsAsOneTaskAtATime()
    {
        int saved = get_num_threads();
        var episodes = ParallelTasksTests.Episodes(count: 5, ways: 5, size: 28, queries: 3, ScalarType.Float32, seed: 13);
        try
        {
            set_num_threads(1);
            Func<Conv4> create = () => new Conv4(new Conv4Options { Ways = 5, Channels = 16, BatchNormStatistics = BatchNormStatistics.Transductive, Seed = 4 });
            var one = ParallelTasksTests.MetaGradient(create(), 1, episodes);
            var two = ParallelTasksTests.MetaGradient(create(), 2, episodes);

            two.Grad.Should().Equal(one.Grad);
            two.Loss.Should().Be(one.Loss);
            get_num_threads().Should().Be(1, "the calling thread's intra-op thread count is left as it was");
        }
        finally
        {
            set_num_threads(saved);
            ParallelTasksTests.DisposeAll(episodes);
        }
    }

    [Fact]
    public void AccumulateMetaGradient_ParallelTasks_LeavesNoTensorAliveAndTheThreadCount()
    {
        var episodes = ParallelTasksTests.Episodes(count: 6, ways: 3, size: 8, queries: 3, ScalarType.Float64, seed: 17);
        using var model = ParallelTasksTests.SmallConv4(BatchNormStatistics.Transductive, ScalarType.Float64);
        using var maml = new Maml(model, new InnerLoopOptions { Steps = 2, StepSize = 0.1, TaskBatching = false, ParallelTasks = 3 });
        try
        {
            int threads = get_num_threads();
            maml.AccumulateMetaGradient(episodes, 0);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long before = Tensor.TotalCount;

            maml.AccumulateMetaGradient(episodes, 1);
            GC.Collect();
            GC.WaitForPendingFinalizers();

            Tensor.TotalCount.Should().Be(before, "every tensor a worker thread made is freed or held by a parameter's grad");
            get_num_threads().Should().Be(threads);
        }
        finally
        {
            ParallelTasksTests.DisposeAll(episodes);
        }
    }
}
