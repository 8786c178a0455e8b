using MetaLearn.Datasets;

namespace MetaLearn.Tests.Datasets;

public sealed class ImageLoadOptionsTests
{
    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var options = new ImageLoadOptions();

        options.ImageSize.Should().Be(28);
        options.Invert.Should().BeFalse();
        options.MaxDegreeOfParallelism.Should().Be(Environment.ProcessorCount);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(28, 0)]
    public void Init_InvalidValue_ThrowsArgumentOutOfRange(int imageSize, int parallelism)
    {
        var act = () => new ImageLoadOptions { ImageSize = imageSize, MaxDegreeOfParallelism = parallelism };

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void OmniglotImageOptions_InvertAt28Pixels_AndKeepInvertWhenResized()
    {
        ImageLoadOptions.Omniglot.Should().Be(new ImageLoadOptions { ImageSize = 28, Invert = true });
        (ImageLoadOptions.Omniglot with { ImageSize = 20 }).Invert.Should().BeTrue();
    }
}
