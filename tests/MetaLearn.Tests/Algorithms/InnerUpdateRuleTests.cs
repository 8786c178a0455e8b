using MetaLearn.Algorithms;
using MetaLearn.Evaluation;
using MetaLearn.Tasks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

public sealed class InnerUpdateRuleTests
{
    private const double StepSize = 0.05;
    private const int Steps = 3;

    [Theory]
    [InlineData(InnerUpdateRule.Momentum)]
    [InlineData(InnerUpdateRule.Adam)]
    public void PredictQuery_AdaptsExactlyAsTorchSharpsOptimizerStepByStep(InnerUpdateRule rule)
    {
        // Reference: TorchSharp's own SGD-with-momentum and Adam (PyTorch's update rules) stepping leaf copies of the
        // parameters on the support loss; the adapted networks must predict the same query values.
        using var model = TestEpisodes.TinyRegressor(seed: 7);
        var options = new InnerLoopOptions { Steps = Steps, StepSize = StepSize, UpdateRule = rule, Momentum = 0.8, AdamBeta1 = 0.85, AdamBeta2 = 0.95, TaskBatching = false };
        using var maml = new Maml(model, options);
        using var episode = TestEpisodes.Sine(14);

        using var predicted = maml.PredictQuery(episode);

        using var scope = NewDisposeScope();
        var leaves = model.Parameters.Select(p => new Parameter(p.detach().clone())).ToArray();
        using optim.Optimizer optimizer = rule == InnerUpdateRule.Adam
            ? optim.Adam(leaves, StepSize, beta1: 0.85, beta2: 0.95, eps: 1e-8)
            : optim.SGD(leaves, StepSize, momentum: 0.8);
        var support = new[] { episode.SupportInput.to(ScalarType.Float64) };
        for (int s = 0; s < Steps; s++)
        {
            optimizer.zero_grad();
            nn.functional.mse_loss(model.Forward(support, leaves, default), episode.SupportTargets.to(ScalarType.Float64)).backward();
            optimizer.step();
        }

        double[] expected;
        using (no_grad())
        {
            expected = TestEpisodes.Flatten(new[] { model.Forward(new[] { episode.QueryInput.to(ScalarType.Float64) }, leaves, default) });
        }

        double[] plainSgd = TestEpisodes.Flatten(new[] { PredictWith(model, options with { UpdateRule = InnerUpdateRule.Sgd }, episode) });
        TestEpisodes.MaxRelativeError(TestEpisodes.Flatten(new[] { predicted }), expected).Should().BeLessThan(1e-12);
        TestEpisodes.MaxRelativeError(plainSgd, expected).Should().BeGreaterThan(1e-4, "the rule changes the adaptation");
    }

    [Theory]
    [InlineData(InnerUpdateRule.Momentum, StepSizeMode.Fixed)]
    [InlineData(InnerUpdateRule.Adam, StepSizeMode.Fixed)]
    [InlineData(InnerUpdateRule.Adam, StepSizeMode.PerParameterPerStep)]
    public void AccumulateMetaGradient_SecondOrderThroughTheOptimizerState_MatchesCentralFiniteDifferences(InnerUpdateRule rule, StepSizeMode stepSizes)
    {
        // Adam's ε is raised to 1e-3 so that g / (|g| + ε) is smooth enough for finite differences with h = 1e-6.
        using var model = TestEpisodes.TinyRegressor(seed: 8);
        var options = new InnerLoopOptions { Steps = Steps, StepSize = 0.02, UpdateRule = rule, StepSizes = stepSizes, AdamEpsilon = 1e-3, TaskBatching = false };
        using var maml = new Maml(model, options);
        using var episode = TestEpisodes.Sine(15);

        maml.AccumulateMetaGradient(new[] { episode }, 0);
        double[] analytic = TestEpisodes.Grads(maml.MetaParameters);
        double[] numeric = FiniteDifferences.Central(maml.MetaParameters, () => Evaluator.Score(maml, episode).Loss);

        TestEpisodes.MaxRelativeError(analytic, numeric).Should().BeLessThan(1e-5);
    }

    [Fact]
    public void AccumulateMetaGradient_AdamTaskBatchedAndPerTask_GiveTheSameMetaGradient()
    {
        using var model = TestEpisodes.TinyRegressor(seed: 9);
        var episodes = Enumerable.Range(20, 3).Select(i => TestEpisodes.Sine(i)).ToArray();
        var options = new InnerLoopOptions { Steps = 2, StepSize = 0.02, UpdateRule = InnerUpdateRule.Adam };

        double[] Grad(InnerLoopOptions o)
        {
            using var maml = new Maml(model, o);
            TestEpisodes.ZeroGrads(model.Parameters);
            maml.AccumulateMetaGradient(episodes, 0).TaskBatched.Should().Be(o.TaskBatching);
            return TestEpisodes.Grads(model.Parameters);
        }

        TestEpisodes.MaxRelativeError(Grad(options), Grad(options with { TaskBatching = false })).Should().BeLessThan(1e-10);
        foreach (var e in episodes)
        {
            e.Dispose();
        }
    }

    private static Tensor PredictWith(MetaLearn.Models.IFunctionalModel model, InnerLoopOptions options, Episode episode)
    {
        using var maml = new Maml(model, options);
        return maml.PredictQuery(episode);
    }
}
