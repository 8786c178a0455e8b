using MetaLearn.Sampling;

namespace MetaLearn.Tests.Sampling;

public sealed class EpisodicSamplerOptionsTests
{
    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var options = new EpisodicSamplerOptions();

        options.Ways.Should().Be(5);
        options.Shots.Should().Be(1);
        options.Queries.Should().Be(15);
        options.ClassFilter.Should().BeNull();
        options.SameGroup.Should().BeFalse();
        options.Rotations.Should().Equal(0);
        EpisodicSamplerOptions.AllRightAngles.Should().Equal(0, 90, 180, 270);
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(5, 0, 1)]
    [InlineData(5, 1, 0)]
    [InlineData(-1, 1, 1)]
    public void Init_NonPositiveCount_ThrowsArgumentOutOfRange(int ways, int shots, int queries)
    {
        var act = () => new EpisodicSamplerOptions { Ways = ways, Shots = shots, Queries = queries };

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 45 })]
    [InlineData(new[] { 0, 90, 90 })]
    [InlineData(new[] { 360 })]
    public void Init_InvalidRotations_ThrowsArgumentOutOfRange(int[] rotations)
    {
        var act = () => new EpisodicSamplerOptions { Rotations = rotations };

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*right angles*");
    }

    [Fact]
    public void With_ChangesOneValue_KeepsTheOthers()
    {
        var options = new EpisodicSamplerOptions { Ways = 20 } with { Rotations = EpisodicSamplerOptions.AllRightAngles };

        options.Ways.Should().Be(20);
        options.Rotations.Should().Equal(0, 90, 180, 270);
        options.Queries.Should().Be(15);
    }
}
