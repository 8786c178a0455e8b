using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Tasks;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Tests.Algorithms;

/// <summary>
/// MAML's meta-gradient on Conv4 equals the benchmark specification's math written out with TorchSharp's functional
/// ops in its own order — per block conv, batch norm over the batch, ReLU, then max-pool; one SGD step through which
/// the gradient flows (second order); each task's query loss over the meta-batch size, back-propagated task by task —
/// in float64, whatever order the library runs ReLU and max-pool in and however many tasks it computes at once.
/// </summary>
public sealed class Conv4ReferenceMathTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AccumulateMetaGradient_Conv4TransductiveSecondOrder_EqualsHandWrittenMath(int parallelTasks)
    {
        const double stepSize = 0.4;
        using var model = new Conv4(new Conv4Options { Ways = 3, Channels = 4, ImageSize = 12, Blocks = 3, BatchNormStatistics = BatchNormStatistics.Transductive, Seed = 5, DType = ScalarType.Float64 });
        var episodes = WithTies(ParallelTasksTests.Episodes(count: 4, ways: 3, size: 12, queries: 4, ScalarType.Float64, seed: 23));
        try
        {
            using var maml = new Maml(model, new InnerLoopOptions { Steps = 1, StepSize = stepSize, TaskBatching = false, ParallelTasks = parallelTasks });
            double loss = maml.AccumulateMetaGradient(episodes, 0).MeanQueryLoss;
            double[] actual = TestEpisodes.Grads(model.Parameters);

            using var scope = NewDisposeScope();
            var leaves = model.Parameters.Select(p => p.detach().clone().requires_grad_()).ToArray();
            double expectedLoss = 0;
            foreach (var e in episodes)
            {
                var supportLoss = F.cross_entropy(Forward(e.SupportInputs[0], leaves), e.SupportTargets);
                var grads = torch.autograd.grad(new[] { supportLoss }, leaves, retain_graph: true, create_graph: true);
                var fast = leaves.Select((w, i) => w - (stepSize * grads[i])).ToArray();
                var queryLoss = F.cross_entropy(Forward(e.QueryInputs[0], fast), e.QueryTargets);
                (queryLoss / episodes.Length).backward();
                expectedLoss += queryLoss.ToDouble() / episodes.Length;
            }

            double[] expected = TestEpisodes.Grads(leaves);
            expected.Should().Contain(g => g != 0);
            loss.Should().BeApproximately(expectedLoss, 1e-12);
            TestEpisodes.MaxRelativeError(actual, expected).Should().BeLessThan(1e-12);
        }
        finally
        {
            ParallelTasksTests.DisposeAll(episodes);
        }
    }

    /// <summary>Conv4's forward in the specification's order (weights in Conv4's parameter order).</summary>
    private static Tensor Forward(Tensor x, IReadOnlyList<Tensor> w)
    {
        int blocks = (w.Count - 2) / 4;
        for (int b = 0; b < blocks; b++)
        {
            x = F.conv2d(x, w[4 * b], w[(4 * b) + 1], padding: new long[] { 1, 1 });
            x = F.batch_norm(x, null, null, w[(4 * b) + 2], w[(4 * b) + 3], training: true, eps: 1e-5);
            x = F.relu(x);
            x = F.max_pool2d(x, new long[] { 2, 2 });
        }

        return F.linear(x.flatten(1), w[^2], w[^1]);
    }

    /// <summary>Zeroes the left half of every image, so that max-pool windows hold equal values (ties) in every block.</summary>
    private static Episode[] WithTies(Episode[] episodes)
    {
        using var noGrad = no_grad();
        foreach (var e in episodes)
        {
            foreach (var x in new[] { e.SupportInputs[0], e.QueryInputs[0] })
            {
                x.narrow(3, 0, x.shape[3] / 2).zero_();
            }
        }

        return episodes;
    }
}
