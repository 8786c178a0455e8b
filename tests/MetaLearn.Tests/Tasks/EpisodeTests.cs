using MetaLearn.Tasks;
using static TorchSharp.torch;
using MetaLearn.Sampling;

namespace MetaLearn.Tests.Tasks;

public sealed class EpisodeTests
{
    [Fact]
    public void Constructor_SeveralModalities_KeepsThemInOrder()
    {
        using var episode = new Episode(
            new[] { zeros(4, 3), ones(4, 2, 2) }, tensor(new long[] { 0, 1, 0, 1 }),
            new[] { zeros(6, 3), ones(6, 2, 2) }, tensor(new long[] { 0, 1, 0, 1, 0, 1 }),
            new EpisodeInfo(2, 2, 3, 9));

        episode.SupportInputs.Select(t => t.shape).Should().BeEquivalentTo(new[] { new long[] { 4, 3 }, new long[] { 4, 2, 2 } });
        episode.IsClassification.Should().BeTrue();
        episode.Info.Seed.Should().Be(9);
    }

    [Fact]
    public void Constructor_MismatchedExampleCounts_Throws()
    {
        var act = () => new Episode(zeros(4, 3), zeros(5, 1), zeros(2, 3), zeros(2, 1), new EpisodeInfo(1, 4, 2, 0));

        act.Should().Throw<ArgumentException>().WithMessage("The support set has 5 targets but modality 0 has shape [4, 3]*");
    }

    [Fact]
    public void Constructor_DifferentModalityCounts_Throws()
    {
        var act = () => new Episode(new[] { zeros(2, 3), zeros(2, 1) }, zeros(2, 1), new[] { zeros(2, 3) }, zeros(2, 1), new EpisodeInfo(1, 2, 2, 0));

        act.Should().Throw<ArgumentException>().WithMessage("*same, non-zero number of support and query modalities*");
    }

    [Fact]
    public void To_ConvertsFloatsAndKeepsClassIndices()
    {
        using var episode = new Episode(zeros(2, 3), tensor(new long[] { 0, 1 }), zeros(2, 3), tensor(new long[] { 1, 0 }), new EpisodeInfo(2, 1, 1, 0));

        using var converted = episode.To(CPU, ScalarType.Float64);

        converted.SupportInput.dtype.Should().Be(ScalarType.Float64);
        converted.SupportTargets.dtype.Should().Be(ScalarType.Int64);
        converted.IsOn(CPU, ScalarType.Float64).Should().BeTrue();
        episode.IsOn(CPU, ScalarType.Float64).Should().BeFalse();
    }

    [Fact]
    public void Seeds_Derive_IsDeterministicAndSpreads()
    {
        Seeds.Derive(1, 0, 5).Should().Be(Seeds.Derive(1, 0, 5));
        var many = Enumerable.Range(0, 1000).Select(i => Seeds.Derive(1, 0, i)).ToHashSet();
        many.Should().HaveCount(1000);
        Seeds.Derive(1, 0, 5).Should().NotBe(Seeds.Derive(1, 1, 5)).And.NotBe(Seeds.Derive(2, 0, 5));
    }

    [Fact]
    public void Constructor_LabelsOutsideTheWays_Throws()
    {
        var act = () => new Episode(zeros(2, 3), tensor(new long[] { 0, 2 }), zeros(2, 3), tensor(new long[] { 1, 0 }), new EpisodeInfo(2, 1, 1, 0));

        act.Should().Throw<ArgumentException>().WithMessage("The support labels range over [0, 2] but the episode has 2 ways*");
    }
}
