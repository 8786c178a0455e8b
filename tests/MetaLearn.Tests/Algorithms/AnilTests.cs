using MetaLearn.Algorithms;
using static TorchSharp.torch;
using MetaLearn.Models;

namespace MetaLearn.Tests.Algorithms;

public sealed class AnilTests
{
    [Fact]
    public void Anil_AdaptsOnlyTheHead()
    {
        using var model = TestEpisodes.TinyClassifier();
        using var anil = Maml.Anil(model);

        anil.AdaptedParameters.Should().Equal(false, false, true, true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Anil_IsNamedAnil_WithFixedStepSizes_FirstOrderOrNot(bool firstOrder)
    {
        using var model = TestEpisodes.TinyClassifier();
        using var anil = Maml.Anil(model, new InnerLoopOptions { FirstOrder = firstOrder });
        using var maml = new Maml(model, new InnerLoopOptions { FirstOrder = firstOrder });

        anil.Name.Should().Be("anil");
        anil.Options.Should().Be(new InnerLoopOptions { FirstOrder = firstOrder });
        anil.LearnedStepSizes.Should().BeEmpty();
        maml.Name.Should().Be(firstOrder ? "fomaml" : "maml");
        maml.AdaptedParameters.Should().Equal(true, true, true, true);
    }

    [Fact]
    public void PredictQuery_EqualsHeadOnlyAdaptation_WithTheBodyUnchanged()
    {
        using var model = TestEpisodes.TinyClassifier();
        using var anil = Maml.Anil(model, new InnerLoopOptions { Steps = 1, StepSize = 0.5 });
        using var episode = TestEpisodes.Gaussian(1);
        using var scope = NewDisposeScope();

        var predicted = anil.PredictQuery(episode);

        // By hand: one step on the head only; the body keeps the shared weights.
        var xs = episode.SupportInput.to(ScalarType.Float64);
        var leaves = model.Parameters.Select(p => p.detach().clone().requires_grad_(true)).ToArray();
        var loss = nn.functional.cross_entropy(model.Forward(new[] { xs }, leaves, default), episode.SupportTargets);
        var grads = autograd.grad(new[] { loss }, leaves);
        var adapted = new[] { leaves[0], leaves[1], leaves[2] - (grads[2] * 0.5), leaves[3] - (grads[3] * 0.5) };
        var expected = model.Forward(new[] { episode.QueryInput.to(ScalarType.Float64) }, adapted, default);

        grads[0].abs().sum().ToDouble().Should().BeGreaterThan(0, "the body would change if it were adapted");
        TestEpisodes.MaxRelativeError(TestEpisodes.Flatten(new[] { predicted }), TestEpisodes.Flatten(new[] { expected })).Should().BeLessThan(1e-12);
    }

    [Fact]
    public void AccumulateMetaGradient_ReachesTheBodyThroughTheOuterLoop()
    {
        using var model = TestEpisodes.TinyClassifier();
        using var anil = Maml.Anil(model);
        using var episode = TestEpisodes.Gaussian(2);

        anil.AccumulateMetaGradient(new[] { episode }, 0);

        model.Parameters[0].grad!.abs().sum().ToDouble().Should().BeGreaterThan(0);
    }

    [Fact]
    public void Anil_ModelWithoutHead_Throws()
    {
        using var model = new Conv4(new Conv4Options { Ways = 0, Channels = 2, Blocks = 1, ImageSize = 4 });

        var act = () => Maml.Anil(model);

        act.Should().Throw<ArgumentException>().WithMessage("*no head*");
    }
}
