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
        o.MultiStepLossIterations.Should().Be(0);
        o.MultiStepLossFloor.Should().Be(0.03);
        o.TaskBatching.Should().BeTrue();
        o.UpdateRule.Should().Be(InnerUpdateRule.Sgd);
        o.Momentum.Should().Be(0.9);
        o.AdamBeta1.Should().Be(0.9);
        o.AdamBeta2.Should().Be(0.999);
        o.AdamEpsilon.Should().Be(1e-8);
        o.ParallelTasks.Should().Be(1);
    }

    [Fact]
    public void InvalidValues_Throw()
    {
        ((Action)(() => _ = new InnerLoopOptions { Steps = 0 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*at least one step*");
        ((Action)(() => _ = new InnerLoopOptions { StepSize = 0 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*positive and finite*");
        ((Action)(() => _ = new InnerLoopOptions { StepSize = double.PositiveInfinity })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new InnerLoopOptions { FirstOrderIterations = -1 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new InnerLoopOptions { MultiStepLossIterations = -1 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new InnerLoopOptions { MultiStepLossFloor = 1.0 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*below 1*");
        ((Action)(() => _ = new InnerLoopOptions { MultiStepLossFloor = -0.1 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new InnerLoopOptions { Momentum = 1.0 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Momentum must be at least 0 and below 1*");
        ((Action)(() => _ = new InnerLoopOptions { AdamBeta1 = -0.1 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new InnerLoopOptions { AdamBeta2 = 1.0 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new InnerLoopOptions { AdamEpsilon = 0 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*epsilon*");
        ((Action)(() => _ = new InnerLoopOptions { ParallelTasks = 0 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Use 1 to compute the tasks one at a time*");
    }
}
