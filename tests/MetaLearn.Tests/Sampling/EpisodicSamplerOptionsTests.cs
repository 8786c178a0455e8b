using MetaLearn.Sampling;
using MetaLearn.Tests.Datasets;

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

    [Fact]
    public void CountClasses_FilterAndRotations_KeptClassesTimesRotationsAsThePublicSamplerDeclares()
    {
        // Groups A (3 classes) and B (2 classes); the filter keeps A's, and two rotations double them: 6 classes.
        using var data = SyntheticDatasets.Build(("A", 3, 4), ("B", 2, 4));
        var options = new EpisodicSamplerOptions
        {
            Ways = 2, Shots = 1, Queries = 1, Rotations = [0, 180], ClassFilter = c => c.Group == "A", DatasetLabels = true,
        };

        int count = options.CountClasses(data);

        count.Should().Be(6);
        (options with { ClassFilter = null }).CountClasses(data).Should().Be(10);
        (options with { Rotations = [0] }).CountClasses(data).Should().Be(3);
        using var episode = TaskSamplers.Episodes(data, options).Sample(3);
        episode.Info.Ways.Should().Be(count, "batches with DatasetLabels declare every class the sampler draws from");
        episode.SupportTargets.data<long>().ToArray().Should().OnlyContain(l => l >= 0 && l < count);
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
