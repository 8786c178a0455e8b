using MetaLearn.Sampling;
using MetaLearn.Datasets;

namespace MetaLearn.Tests.Sampling;

public sealed class BlobsTaskSamplerTests
{
    [Fact]
    public void Defaults_ThreeWayFiveShotFifteenQueriesOnThreeBlobs()
    {
        var o = new BlobsTaskOptions();

        (o.Ways, o.Shots, o.Queries).Should().Be((3, 5, 15));
        (o.Generator.Samples, o.Generator.Features, o.Generator.CenterCount).Should().Be((150, 2, 3));
    }

    [Fact]
    public void Init_InvalidValue_Throws()
    {
        FluentActions.Invoking(() => new BlobsTaskOptions { Ways = 0 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Ways");
        FluentActions.Invoking(() => new BlobsTaskOptions { Shots = 0 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Shots");
        FluentActions.Invoking(() => new BlobsTaskOptions { Queries = -1 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Queries");
    }

    [Fact]
    public void Constructor_TooFewSamplesPerCenter_RejectedWithCounts()
    {
        var o = new BlobsTaskOptions { Generator = new MakeBlobsOptions { Samples = 50, Centers = 3 } };

        // 50 over 3 centers: 17, 17, 16; 16 < 5 + 15.
        FluentActions.Invoking(() => new BlobsTaskSampler(o)).Should().Throw<ArgumentException>()
            .WithMessage("Center 2 gets 16 samples but Shots (5) + Queries (15) = 20*");
    }

    [Fact]
    public void Constructor_MoreWaysThanCenters_Rejected()
    {
        FluentActions.Invoking(() => new BlobsTaskSampler(new BlobsTaskOptions { Ways = 4 })).Should().Throw<ArgumentException>()
            .WithMessage("Ways (4) exceeds the generator's 3 centers*");
    }

    [Fact]
    public void Sample_Default_LabelledSetsNearTheirCenters()
    {
        var sampler = new BlobsTaskSampler();
        using var episode = sampler.Sample(4);
        var centers = MakeBlobs.Generate(sampler.Options.Generator, BlobsTaskSampler.DataSeed(4)).Centers;

        episode.SupportInput.shape.Should().Equal(15, 2);
        episode.QueryInput.shape.Should().Equal(45, 2);
        episode.SupportTargets.data<long>().ToArray().Should().Equal(Enumerable.Range(0, 3).SelectMany(c => Enumerable.Repeat((long)c, 5)));
        var query = episode.QueryInput.data<float>().ToArray();
        var labels = episode.QueryTargets.data<long>().ToArray();
        for (int i = 0; i < labels.Length; i++)
        {
            // Standard deviation 1 per axis: a point lies within 6 of its own center.
            var c = centers[(int)labels[i]];
            Math.Sqrt(Math.Pow(query[2 * i] - c[0], 2) + Math.Pow(query[(2 * i) + 1] - c[1], 2)).Should().BeLessThan(6);
        }
    }

    [Fact]
    public void Sample_SameSeed_SameEpisode()
    {
        var sampler = new BlobsTaskSampler();
        using var a = sampler.Sample(9);
        using var b = sampler.Sample(9);
        using var c = sampler.Sample(10);

        a.QueryInput.data<float>().ToArray().Should().Equal(b.QueryInput.data<float>().ToArray());
        a.QueryInput.data<float>().ToArray().Should().NotEqual(c.QueryInput.data<float>().ToArray());
    }
}
