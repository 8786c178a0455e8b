using MetaLearn.Algorithms;
using static TorchSharp.torch;
using MetaLearn.Tasks;
using MetaLearn.Models;

namespace MetaLearn.Tests.Algorithms;

public sealed class ReptileTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OuterSgdStep_InterpolatesTowardsTheMeanAdaptedWeights(bool taskBatching)
    {
        const double epsilon = 0.25;
        var options = new ReptileOptions { InnerSteps = 3, InnerStepSize = 0.02, TaskBatching = taskBatching };
        var episodes = new[] { TestEpisodes.Sine(1), TestEpisodes.Sine(2) };
        using var model = TestEpisodes.TinyRegressor();
        using var reptile = new Reptile(model, options);
        double[] theta = TestEpisodes.Flatten(model.Parameters);

        // φ_t: plain SGD on each task's support set, by hand.
        var phis = episodes.Select(e => AdaptBySgd(model, e, options)).ToArray();
        var expected = theta.Select((t, i) => t + (epsilon * ((phis[0][i] + phis[1][i]) / 2 - t))).ToArray();

        using var sgd = optim.SGD(reptile.MetaParameters, epsilon);
        sgd.zero_grad();
        reptile.AccumulateMetaGradient(episodes, 0);
        sgd.step();

        TestEpisodes.MaxRelativeError(TestEpisodes.Flatten(model.Parameters), expected).Should().BeLessThan(1e-12);
        foreach (var e in episodes)
        {
            e.Dispose();
        }
    }

    [Fact]
    public void Options_Defaults_AndInvalidValues()
    {
        var o = new ReptileOptions();
        o.InnerSteps.Should().Be(5);
        o.InnerStepSize.Should().Be(0.01);
        o.TaskBatching.Should().BeTrue();
        ((Action)(() => _ = new ReptileOptions { InnerSteps = 0 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new ReptileOptions { InnerStepSize = double.NaN })).Should().Throw<ArgumentOutOfRangeException>();
    }

    private static double[] AdaptBySgd(IFunctionalModel model, Episode episode, ReptileOptions options)
    {
        using var scope = NewDisposeScope();
        var weights = model.Parameters.Select(p => p.detach().clone()).ToArray();
        for (int s = 0; s < options.InnerSteps; s++)
        {
            var leaves = weights.Select(w => w.detach().requires_grad_(true)).ToArray();
            var loss = nn.functional.mse_loss(model.Forward(new[] { episode.SupportInput.to(ScalarType.Float64) }, leaves, default), episode.SupportTargets.to(ScalarType.Float64));
            var grads = autograd.grad(new[] { loss }, leaves);
            weights = leaves.Zip(grads).Select(p => (p.First - (p.Second * options.InnerStepSize)).detach()).ToArray();
        }

        return TestEpisodes.Flatten(weights);
    }
}
