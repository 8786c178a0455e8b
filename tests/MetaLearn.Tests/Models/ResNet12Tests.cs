using MetaLearn.Models;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Models;

public sealed class ResNet12Tests
{
    private static readonly ResNet12Options Small = new() { Channels = new[] { 2, 3, 3, 4 }, InputChannels = 1, Ways = 3, Seed = 4, DType = ScalarType.Float64 };

    [Fact]
    public void CreateModule_ConvertsWithBlockNames_AndConvertedOutputEqualsTheModuleInBothModes()
    {
        using var module = ResNet12.CreateModule(Small);
        using var model = FunctionalModel.FromModule(module);
        using var scope = NewDisposeScope();

        model.ParameterNames.Should().StartWith(new[] { "block0.body.conv1.weight", "block0.body.bn1.weight", "block0.body.bn1.bias", "block0.body.conv2.weight" });
        model.ParameterNames.Should().Contain("block3.shortcut.conv.weight").And.EndWith(new[] { "head.weight", "head.bias" });
        model.ParameterNames.Should().HaveCount(4 * (4 + 8) + 2, "per block 4 convolutions without bias and 4 batch norms");
        model.HeadStart.Should().Be(model.Parameters.Count - 2);
        var x = randn(5, 1, 16, 16, dtype: ScalarType.Float64);
        foreach (bool training in new[] { true, false })
        {
            module.train(training);
            var expected = module.forward(x);
            expected.shape.Should().Equal(5, 3);
            ModuleConversionTests.MaxAbs(model.Forward(new[] { x }, model.Parameters, new ForwardContext { Training = training }), expected).Should().BeLessThan(1e-6);
        }
    }

    [Fact]
    public void Constructor_SameSeedSameWeights_OtherSeedDiffers_AndOptionsAreChecked()
    {
        using var a = new ResNet12(Small);
        using var b = new ResNet12(Small);
        using var c = new ResNet12(Small with { Seed = 5 });

        TestEpisodes.Flatten(a.Parameters).Should().Equal(TestEpisodes.Flatten(b.Parameters));
        TestEpisodes.Flatten(a.Parameters).Should().NotEqual(TestEpisodes.Flatten(c.Parameters));
        new ResNet12Options().Channels.Should().Equal(64, 160, 320, 640);
        (new ResNet12Options().InputChannels, new ResNet12Options().Ways, new ResNet12Options().NegativeSlope).Should().Be((3, 5, 0.1));
        ((Action)(() => _ = new ResNet12Options { Channels = new[] { 64, 128, 256 } })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*four positive channel counts*");
        ((Action)(() => _ = new ResNet12Options { Ways = -1 })).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Constructor_IsTheConvertedModule_WithItsOptions()
    {
        var options = Small with { Ways = 2, Seed = 9 };
        using var module = ResNet12.CreateModule(options);
        using var converted = FunctionalModel.FromModule(module, new ModuleConversionOptions { Seed = options.Seed });
        using var model = new ResNet12(options);
        using var scope = NewDisposeScope();

        model.Options.Should().Be(options);
        model.ParameterNames.Should().Equal(converted.ParameterNames);
        model.BufferNames.Should().Equal(converted.BufferNames);
        model.HeadStart.Should().Be(converted.HeadStart);
        TestEpisodes.Flatten(model.Parameters).Should().Equal(TestEpisodes.Flatten(converted.Parameters));
        var x = randn(4, 1, 16, 16, dtype: ScalarType.Float64);
        foreach (bool training in new[] { true, false })
        {
            module.train(training);
            ModuleConversionTests.MaxAbs(model.Forward(new[] { x }, model.Parameters, new ForwardContext { Training = training }), module.forward(x)).Should().BeLessThan(1e-6);
        }
    }
}
