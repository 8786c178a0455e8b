using MetaLearn.Datasets;

namespace MetaLearn.Tests.Datasets;

public sealed class OmniglotOptionsTests
{
    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var options = new OmniglotOptions();

        options.ImageSize.Should().Be(28);
        options.MaxDegreeOfParallelism.Should().Be(Environment.ProcessorCount);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-5, 1)]
    [InlineData(28, 0)]
    public void Init_InvalidValue_ThrowsArgumentOutOfRange(int imageSize, int parallelism)
    {
        var act = () => new OmniglotOptions { ImageSize = imageSize, MaxDegreeOfParallelism = parallelism };

        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
