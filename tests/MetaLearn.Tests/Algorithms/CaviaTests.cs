using MetaLearn.Algorithms;
using MetaLearn.Evaluation;
using MetaLearn.Models;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

public sealed class CaviaTests
{
    private const int Context = 3;

    [Fact]
    public void AccumulateMetaGradient_SecondOrder_MatchesCentralFiniteDifferences()
    {
        using var model = ContextModel(seed: 2);
        using var cavia = new Cavia(model, new CaviaOptions { ContextSize = Context, Steps = 2, StepSize = 0.3, TaskBatching = false });
        using var episode = TestEpisodes.Sine(60);

        cavia.AccumulateMetaGradient(new[] { episode }, 0);
        double[] analytic = TestEpisodes.Grads(model.Parameters);
        double[] numeric = FiniteDifferences.Central(model.Parameters, () => Evaluator.Score(cavia, episode).Loss);

        TestEpisodes.MaxRelativeError(analytic, numeric).Should().BeLessThan(1e-6);
    }

    [Fact]
    public void PredictQuery_AdaptsOnlyTheContext_FromZero_LeavingSharedWeightsUntouched()
    {
        const double alpha = 0.5;
        using var model = ContextModel(seed: 3);
        using var cavia = new Cavia(model, new CaviaOptions { ContextSize = Context, Steps = 1, StepSize = alpha });
        using var episode = TestEpisodes.Sine(61);
        double[] before = TestEpisodes.Flatten(model.Parameters);

        using var predicted = cavia.PredictQuery(episode);

        // By hand: c1 = 0 − α ∇_c L_support(θ, c = 0); the query prediction is the unchanged network on [x, c1].
        double[] expected;
        using (var scope = NewDisposeScope())
        {
            var x = episode.SupportInput.to(ScalarType.Float64);
            var c = zeros(new long[] { Context }, dtype: ScalarType.Float64).requires_grad_(true);
            var loss = nn.functional.mse_loss(model.Forward(cat(new[] { x, c.expand(x.shape[0], Context) }, 1)), episode.SupportTargets.to(ScalarType.Float64));
            using var lr = alpha.ToScalar();
            var c1 = (c - (autograd.grad(new[] { loss }, new[] { c })[0] * lr)).detach();
            var xq = episode.QueryInput.to(ScalarType.Float64);
            expected = TestEpisodes.Flatten(new[] { model.Forward(cat(new[] { xq, c1.expand(xq.shape[0], Context) }, 1)) });
        }

        TestEpisodes.MaxRelativeError(TestEpisodes.Flatten(new[] { predicted }), expected).Should().BeLessThan(1e-12);
        TestEpisodes.Flatten(model.Parameters).Should().Equal(before);
        model.Parameters.Should().OnlyContain(p => ReferenceEquals(p.grad, null), "the inner loop differentiates only with respect to the context");
    }

    [Fact]
    public void AccumulateMetaGradient_TaskBatchedAndPerTask_GiveTheSameLossAndGradient()
    {
        using var model = ContextModel(seed: 4);
        var episodes = Enumerable.Range(62, 3).Select(i => TestEpisodes.Sine(i)).ToArray();

        (double Loss, double[] Grad) Run(bool batched)
        {
            using var cavia = new Cavia(model, new CaviaOptions { ContextSize = Context, Steps = 2, StepSize = 0.3, TaskBatching = batched });
            TestEpisodes.ZeroGrads(model.Parameters);
            var result = cavia.AccumulateMetaGradient(episodes, 0);
            result.TaskBatched.Should().Be(batched);
            return (result.MeanQueryLoss, TestEpisodes.Grads(model.Parameters));
        }

        TestEpisodes.TaskBatchedEqualsPerTask(Run);
        foreach (var e in episodes)
        {
            e.Dispose();
        }
    }

    [Fact]
    public void Options_Defaults_InvalidValues_AndImageInputsAreRejected()
    {
        var o = new CaviaOptions();
        o.ContextSize.Should().Be(5);
        o.Steps.Should().Be(1);
        o.StepSize.Should().Be(1.0);
        o.FirstOrder.Should().BeFalse();
        o.TaskBatching.Should().BeTrue();
        ((Action)(() => _ = new CaviaOptions { ContextSize = 0 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new CaviaOptions { Steps = 0 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new CaviaOptions { StepSize = 0 })).Should().Throw<ArgumentOutOfRangeException>();

        using var model = ContextModel(seed: 1);
        using var cavia = new Cavia(model, new CaviaOptions { ContextSize = Context, TaskBatching = false });
        using var images = new MetaLearn.Tasks.Episode(
            zeros(2, 1, 4, 4), tensor(new long[] { 0, 1 }), zeros(2, 1, 4, 4), tensor(new long[] { 0, 1 }), new MetaLearn.Tasks.EpisodeInfo(2, 1, 1, 0));
        ((Action)(() => cavia.AccumulateMetaGradient(new[] { images }, 0))).Should().Throw<ArgumentException>().WithMessage("*single feature-vector input*");
    }

    private static Mlp ContextModel(int seed) =>
        new(new MlpOptions { LayerSizes = new[] { 1 + Context, 8, 8, 1 }, Seed = seed, DType = ScalarType.Float64 });
}
