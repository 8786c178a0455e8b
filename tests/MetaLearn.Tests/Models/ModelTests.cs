using MetaLearn.Models;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Models;

public sealed class ModelTests
{
    [Fact]
    public void Mlp_ParametersAreNamedAndOrderedStably_AndSeeded()
    {
        using var a = new Mlp(MlpOptions.WithLayers(3, 5, 2) with { Seed = 4 });
        using var b = new Mlp(MlpOptions.WithLayers(3, 5, 2) with { Seed = 4 });
        using var c = new Mlp(MlpOptions.WithLayers(3, 5, 2) with { Seed = 5 });

        a.ParameterNames.Should().Equal("layer0.weight", "layer0.bias", "layer1.weight", "layer1.bias");
        a.Parameters.Select(p => p.shape).Should().BeEquivalentTo(new[] { new long[] { 5, 3 }, new long[] { 5 }, new long[] { 2, 5 }, new long[] { 2 } });
        a.HeadStart.Should().Be(2);
        TestEpisodes.Flatten(a.Parameters).Should().Equal(TestEpisodes.Flatten(b.Parameters));
        TestEpisodes.Flatten(a.Parameters).Should().NotEqual(TestEpisodes.Flatten(c.Parameters));
        double bound = 1 / Math.Sqrt(3);
        TestEpisodes.Flatten(a.Parameters.Take(2)).Should().OnlyContain(v => Math.Abs(v) <= bound);
    }

    [Fact]
    public void Mlp_Forward_EqualsLinearReluLinear()
    {
        using var model = new Mlp(MlpOptions.WithLayers(3, 5, 2) with { DType = ScalarType.Float64 });
        using var scope = NewDisposeScope();
        var x = randn(4, 3, dtype: ScalarType.Float64);
        var p = model.Parameters;

        var expected = x.matmul(p[0].t()).add(p[1]).relu().matmul(p[2].t()).add(p[3]);

        TestEpisodes.Flatten(new[] { model.Forward(x) }).Should().Equal(TestEpisodes.Flatten(new[] { expected }));
    }

    [Fact]
    public void Conv4_OmniglotShapes_AndPerStepBatchNormSets()
    {
        using var model = new Conv4(new Conv4Options { Ways = 5, BatchNormSets = 2 });
        using var scope = NewDisposeScope();

        model.FeatureCount.Should().Be(64);
        model.ParameterNames.Should().Contain(new[] { "block0.conv.weight", "block0.norm.step1.scale", "block3.norm.step0.shift", "head.weight" });
        model.Parameters.Should().HaveCount((4 * 6) + 2);
        model.Forward(rand(3, 1, 28, 28)).shape.Should().Equal(3, 5);
        model.UsesParameter(2, step: 0).Should().BeTrue("block0.norm.step0.scale is used at step 0");
        model.UsesParameter(4, step: 0).Should().BeFalse("block0.norm.step1.scale is used from step 1 on");
        model.UsesParameter(4, step: 7).Should().BeTrue();
        model.UsesParameter(0, step: 3).Should().BeTrue();
    }

    [Fact]
    public void Conv4_WithoutHead_IsAnEmbeddingNetwork()
    {
        using var model = new Conv4(new Conv4Options { Ways = 0 });
        using var scope = NewDisposeScope();

        model.HeadStart.Should().Be(model.Parameters.Count);
        model.Forward(rand(2, 1, 28, 28)).shape.Should().Equal(2, 64);
    }

    [Fact]
    public void Options_DefaultsAndInvalidValues()
    {
        new MlpOptions().LayerSizes.Should().Equal(1, 40, 40, 1);
        new MlpOptions().DType.Should().Be(ScalarType.Float32);
        var conv = new Conv4Options();
        (conv.Ways, conv.Channels, conv.InputChannels, conv.ImageSize, conv.Blocks, conv.BatchNormSets, conv.TaskBatching).Should().Be((5, 64, 1, 28, 4, 1, false));
        conv.BatchNormStatistics.Should().Be(BatchNormStatistics.Support);
        new ModuleConversionOptions().BatchNormStatistics.Should().Be(BatchNormStatistics.Support);

        ((Action)(() => _ = MlpOptions.WithLayers(4))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*at least an input and an output*");
        ((Action)(() => _ = MlpOptions.WithLayers(4, 0, 2))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new Conv4Options { Channels = 0 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new Conv4Options { Ways = -1 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new Conv4Options { BatchNormStatistics = (BatchNormStatistics)7 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Support, Running or Transductive*");
        ((Action)(() => _ = new ModuleConversionOptions { BatchNormStatistics = BatchNormStatistics.Running })).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("*Support or Transductive*track_running_stats*");
        ((Action)(() => _ = new Conv4(new Conv4Options { ImageSize = 8, Blocks = 4 }))).Should().Throw<ArgumentException>().WithMessage("*shrinks to nothing*");
    }

    [Fact]
    public void LoadParameterValues_WrongShape_Throws()
    {
        using var model = new Mlp(MlpOptions.WithLayers(3, 5, 2));
        using var scope = NewDisposeScope();
        var values = model.Parameters.Select(p => zeros_like(p)).ToArray();
        values[2] = zeros(5, 2);

        var act = () => model.LoadParameterValues(values);

        act.Should().Throw<ArgumentException>().WithMessage("*layer1.weight*[2, 5]*[5, 2]*");
    }

    [Fact]
    public void Forward_WrongInputShape_ThrowsSayingWhatToChange()
    {
        using var mlp = new Mlp(MlpOptions.WithLayers(3, 5, 2));
        using var conv = new Conv4(new Conv4Options { Channels = 2 });
        using var scope = NewDisposeScope();

        ((Action)(() => mlp.Forward(zeros(4, 7)))).Should().Throw<ArgumentException>().WithMessage("The MLP expects inputs of shape [examples, 3] but got [4, 7]*LayerSizes[0]*");
        ((Action)(() => conv.Forward(zeros(4, 3, 28, 28)))).Should().Throw<ArgumentException>().WithMessage("Conv4 expects images of shape [examples, 1, 28, 28] but got [4, 3, 28, 28]*");
        ((Action)(() => mlp.Forward(new[] { zeros(4, 3), zeros(4, 3) }, mlp.Parameters, default))).Should().Throw<ArgumentException>().WithMessage("*2 modalities*fusion model*");
        ((Action)(() => mlp.Forward(new[] { zeros(4, 3) }, mlp.Parameters.Take(2).ToArray(), default))).Should().Throw<ArgumentException>().WithMessage("The model has 4 parameters but 2 weights*");
    }

    [Fact]
    public void CopyParametersFrom_MakesACloneThatComputesTheSameOutput_AndSnapshotsDoNotFollowLaterChanges()
    {
        using var original = new Mlp(MlpOptions.WithLayers(3, 5, 2) with { Seed = 1 });
        using var clone = new Mlp(MlpOptions.WithLayers(3, 5, 2) with { Seed = 2 });
        using var scope = NewDisposeScope();
        var x = randn(4, 3);
        var snapshot = original.SnapshotParameters();

        clone.CopyParametersFrom(original);
        TestEpisodes.Flatten(new[] { clone.Forward(x) }).Should().Equal(TestEpisodes.Flatten(new[] { original.Forward(x) }));

        using (no_grad())
        {
            original.Parameters[0].add_(ones_like(original.Parameters[0]));
        }

        TestEpisodes.Flatten(snapshot).Should().Equal(TestEpisodes.Flatten(clone.Parameters));
        TestEpisodes.Flatten(new[] { clone.Forward(x) }).Should().NotEqual(TestEpisodes.Flatten(new[] { original.Forward(x) }));
        foreach (var t in snapshot)
        {
            t.Dispose();
        }
    }
}
