using MetaLearn.Algorithms;
using MetaLearn.Models;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

/// <summary>
/// Distributed training's decomposition: each task's share (computed alone, scaled by the whole meta-batch's 1/T),
/// summed in task order and finished, must be exactly what the meta-batch run per episode accumulates, in float32,
/// for every algorithm, so a coordinator that sums shares computed anywhere trains as one process does.
/// </summary>
public sealed class AccumulateShareTests
{
    private const int Iteration = 2;

    [Theory]
    [InlineData("maml")]
    [InlineData("fomaml")]
    [InlineData("metasgd")]
    [InlineData("anil")]
    [InlineData("protonet")]
    [InlineData("r2d2")]
    [InlineData("cavia")]
    [InlineData("imaml")]
    [InlineData("reptile")]
    [InlineData("reptile-outer-optimizer")]
    public void AccumulateShare_SharesSummedInTaskOrder_EqualPerEpisodeMetaBatchExactly(string name)
    {
        var episodes = Enumerable.Range(0, 3).Select(i => TestEpisodes.Gaussian(40 + i)).ToArray();
        try
        {
            var (referenceModel, reference) = Create(name);
            var (sharedModel, shared) = Create(name);
            using (referenceModel)
            using (reference)
            using (sharedModel)
            using (shared)
            {
                var expected = reference.AccumulateMetaGradient(episodes, Iteration);
                var actual = SumShares(shared, episodes);

                actual.MeanQueryLoss.Should().Be(expected.MeanQueryLoss);
                actual.MeanQueryAccuracy.Should().Be(expected.MeanQueryAccuracy);
                Values(shared.MetaParameters).Should().Equal(Values(reference.MetaParameters), "neither moves the parameters");
                Grads(shared.MetaParameters).Should().Equal(Grads(reference.MetaParameters), "the meta-gradients are equal bit for bit");
            }
        }
        finally
        {
            foreach (var e in episodes)
            {
                e.Dispose();
            }
        }
    }

    /// <summary>What a coordinator does: each share alone, then their sum in task order into grad.</summary>
    private static MetaBatchResult SumShares(EpisodicLearner learner, IReadOnlyList<MetaLearn.Tasks.Episode> episodes)
    {
        var sums = new Tensor?[learner.MetaParameters.Count];
        double loss = 0;
        double accuracy = 0;
        foreach (var episode in episodes)
        {
            foreach (var p in learner.MetaParameters)
            {
                p.grad = null;
            }

            var share = learner.AccumulateShare(episode, Iteration, episodes.Count);
            loss += share.MeanQueryLoss;
            accuracy += share.MeanQueryAccuracy;
            for (int i = 0; i < sums.Length; i++)
            {
                using var grad = learner.MetaParameters[i].grad;
                if (grad is not null)
                {
                    sums[i] = sums[i] is { } sum ? sum.add_(grad) : grad.clone();
                }
            }
        }

        for (int i = 0; i < sums.Length; i++)
        {
            learner.MetaParameters[i].grad = sums[i];
            sums[i]?.Dispose();
        }

        return new MetaBatchResult(loss / episodes.Count, accuracy / episodes.Count, episodes.Count, false);
    }

    private static (IFunctionalModel, EpisodicLearner) Create(string name)
    {
        var inner = new InnerLoopOptions { Steps = 2, StepSize = 0.3, TaskBatching = false };
        var model = new Mlp(new MlpOptions { LayerSizes = name == "cavia" ? new[] { 4 + 2, 16, 3 } : new[] { 4, 16, 3 }, Seed = 5, DType = ScalarType.Float32 });
        EpisodicLearner learner = name switch
        {
            "maml" => new Maml(model, inner),
            "fomaml" => Maml.FirstOrder(model, inner),
            "metasgd" => Maml.MetaSgd(model, inner),
            "anil" => Maml.Anil(model, inner),
            "protonet" => new PrototypicalNetworks(model, taskBatching: false),
            "r2d2" => new R2D2(model, new R2D2Options { TaskBatching = false }),
            "cavia" => new Cavia(model, new CaviaOptions { ContextSize = 2, Steps = 2, StepSize = 0.3, TaskBatching = false }),
            "imaml" => new Imaml(model, new ImamlOptions { Steps = 3, TaskBatching = false }),
            "reptile" => new Reptile(model, new ReptileOptions { Steps = 3, OuterStepSize = 0.7, TaskBatching = false }),
            "reptile-outer-optimizer" => new Reptile(model, new ReptileOptions { Steps = 3, OuterUpdate = ReptileOuterUpdate.OuterOptimizer, TaskBatching = false }),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        return (model, learner);
    }

    private static float[] Values(IEnumerable<Tensor> tensors) => tensors.SelectMany(t => t.detach().data<float>().ToArray()).ToArray();

    private static float[] Grads(IEnumerable<TorchSharp.Modules.Parameter> parameters) =>
        parameters.SelectMany(p => p.grad is { } g ? g.data<float>().ToArray() : new[] { float.NaN }).ToArray();
}
