using MetaLearn.Sampling;
using MetaLearn.Tests.Datasets;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Sampling;

public sealed class ImageAugmentationTests
{
    [Fact]
    public void Defaults_AreTheIdentity()
    {
        var augmentation = new ImageAugmentation();
        augmentation.Rotation.Should().Be(0);
        augmentation.Shear.Should().Be(0);
        augmentation.Scale.Should().Be(0);
        augmentation.Translation.Should().Be(0);
        augmentation.IsIdentity.Should().BeTrue();
        new EpisodicSamplerOptions().Augmentation.Should().BeNull();
    }

    [Theory]
    [InlineData("Rotation", -1)]
    [InlineData("Rotation", 181)]
    [InlineData("Shear", 61)]
    [InlineData("Scale", 0.95)]
    [InlineData("Translation", 0.6)]
    [InlineData("Translation", double.NaN)]
    public void InvalidBounds_AreRefusedNamingTheOption(string name, double value)
    {
        Action act = name switch
        {
            "Rotation" => () => _ = new ImageAugmentation { Rotation = value },
            "Shear" => () => _ = new ImageAugmentation { Shear = value },
            "Scale" => () => _ = new ImageAugmentation { Scale = value },
            _ => () => _ = new ImageAugmentation { Translation = value },
        };

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(name).WithMessage("*0 turns it off*");
    }

    [Fact]
    public void Apply_TheLargestRotationOf90Degrees_TurnsTheImageAQuarter()
    {
        using var scope = NewDisposeScope();
        var image = arange(16, dtype: ScalarType.Float32).view(1, 1, 4, 4);

        var turned = new ImageAugmentation { Rotation = 90 }.Apply(image, new Extreme());

        var quarter = new[] { image.rot90(1, (-2, -1)), image.rot90(-1, (-2, -1)) }.Min(r => (turned - r).abs().max().ToDouble());
        quarter.Should().BeLessThan(1e-5);
    }

    [Fact]
    public void Apply_TheLargestShiftOfAQuarter_MovesA4x4ImageOnePixelAndFillsWithZero()
    {
        using var scope = NewDisposeScope();
        var image = arange(1, 17, dtype: ScalarType.Float32).view(1, 1, 4, 4);

        var shifted = new ImageAugmentation { Translation = 0.25 }.Apply(image, new Extreme())[0, 0];

        // The output samples the input one pixel right and one down: rows and columns move up-left, zeros enter.
        var expected = zeros(4, 4);
        expected[..3, ..3] = image[0, 0, 1.., 1..];
        (shifted - expected).abs().max().ToDouble().Should().BeLessThan(1e-5);
    }

    [Fact]
    public void Sample_WithAugmentation_SameSeedSameEpisode_SameExamplesAsWithout_ButDistorted()
    {
        using var data = SyntheticDatasets.Build(("A", 6, 4));
        var plain = new EpisodicSamplerOptions { Ways = 3, Shots = 1, Queries = 2 };
        var augmented = plain with { Augmentation = new ImageAugmentation { Rotation = 20, Shear = 10, Scale = 0.1, Translation = 0.1 } };
        var sampler = new EpisodicSampler(data, augmented);

        using var first = sampler.Sample(4);
        using var again = sampler.Sample(4);
        using var without = new EpisodicSampler(data, plain).Sample(4);

        TestEpisodes.Flatten(again.SupportInputs.Concat(again.QueryInputs)).Should().Equal(TestEpisodes.Flatten(first.SupportInputs.Concat(first.QueryInputs)));
        first.SupportTargets.data<long>().ToArray().Should().Equal(without.SupportTargets.data<long>().ToArray());
        TestEpisodes.Flatten(first.SupportInputs).Should().NotEqual(TestEpisodes.Flatten(without.SupportInputs));
    }

    [Fact]
    public void Constructor_AugmentationOfExamplesThatAreNotImages_IsRefused()
    {
        using var data = MetaLearn.Datasets.LabeledDataset.FromRows(new double[] { 1, 2, 3, 4, 5, 6, 7, 8 }, 2, new[] { 0, 0, 1, 1 }, 2);
        var act = () => new EpisodicSampler(data, new EpisodicSamplerOptions { Ways = 2, Shots = 1, Queries = 1, Augmentation = new ImageAugmentation { Rotation = 5 } });
        act.Should().Throw<ArgumentException>().WithMessage("*[channels, height, width]*");
    }

    /// <summary>A random source whose every draw is the largest, so each distortion is at its bound.</summary>
    private sealed class Extreme : Random
    {
        public override double NextDouble() => 1.0;
    }
}
