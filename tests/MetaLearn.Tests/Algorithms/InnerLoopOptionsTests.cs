using MetaLearn.Algorithms;

namespace MetaLearn.Tests.Algorithms;

public sealed class InnerLoopOptionsTests
{
    [Fact]
    public void Defaults_AreSingleStepSecondOrderMaml()
    {
        var o = new InnerLoopOptions();

        o.Steps.Should().Be(1);
        o.StepSize.Should().Be(0.01);
        o.FirstOrder.Should().BeFalse();
        o.StepSizes.Should().Be(StepSizeMode.Fixed);
        o.FirstOrderIterations.Should().Be(0);
        o.MultiStepLossWeights.Should().BeNull();
        o.TaskBatching.Should().BeTrue();
    }

    [Fact]
    public void InvalidValues_Throw()
    {
        ((Action)(() => _ = new InnerLoopOptions { Steps = 0 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*at least one step*");
        ((Action)(() => _ = new InnerLoopOptions { StepSize = 0 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*positive and finite*");
        ((Action)(() => _ = new InnerLoopOptions { StepSize = double.PositiveInfinity })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new InnerLoopOptions { FirstOrderIterations = -1 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new InnerLoopOptions { MultiStepLossWeights = new[] { 0.0, 0.0 } })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new InnerLoopOptions { MultiStepLossWeights = new[] { -1.0 } })).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Validate_MultiStepWeightsOfTheWrongLength_ThrowsWhenAnAlgorithmIsBuilt()
    {
        using var model = TestEpisodes.TinyRegressor();
        var options = new InnerLoopOptions { Steps = 3, MultiStepLossWeights = new[] { 0.5, 0.5 } };

        var act = () => new Maml(model, options);

        act.Should().Throw<ArgumentException>().WithMessage("*2 weights but Steps is 3*");
    }
}
