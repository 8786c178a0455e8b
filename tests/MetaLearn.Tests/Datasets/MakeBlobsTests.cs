using MetaLearn.Datasets;

namespace MetaLearn.Tests.Datasets;

public sealed class MakeBlobsTests
{
    [Fact]
    public void Defaults_MatchScikitLearnDefaults()
    {
        var o = new MakeBlobsOptions();

        (o.Samples, o.Features, o.Centers, o.CenterCount, o.FeatureCount).Should().Be((100, 2, 3, 3, 2));
        o.SamplesPerCenter.Should().BeNull();
        o.CenterPoints.Should().BeNull();
        o.ClusterStd.Should().Equal(1.0);
        o.CenterBox.Should().Be((-10.0, 10.0));
        o.Shuffle.Should().BeTrue();
    }

    [Fact]
    public void Init_InvalidValue_ThrowsNamingTheProperty()
    {
        FluentActions.Invoking(() => new MakeBlobsOptions { Samples = 0 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Samples");
        FluentActions.Invoking(() => new MakeBlobsOptions { Features = 0 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Features");
        FluentActions.Invoking(() => new MakeBlobsOptions { Centers = 0 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Centers");
        FluentActions.Invoking(() => new MakeBlobsOptions { ClusterStd = new[] { -1.0 } }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("ClusterStd");
        FluentActions.Invoking(() => new MakeBlobsOptions { CenterBox = (1.0, 1.0) }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("CenterBox");
        FluentActions.Invoking(() => new MakeBlobsOptions { SamplesPerCenter = new[] { 3, -1 } }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("SamplesPerCenter");
        FluentActions.Invoking(() => new MakeBlobsOptions { CenterPoints = new[] { new[] { 1.0, 2.0 }, new[] { 1.0 } } }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("CenterPoints");
    }

    [Fact]
    public void Validate_PerCenterStdOfWrongLength_Rejected()
    {
        var o = new MakeBlobsOptions { Centers = 3, ClusterStd = new[] { 1.0, 2.0 } };

        o.Invoking(x => x.Validate()).Should().Throw<ArgumentException>().WithMessage("ClusterStd has 2 values but there are 3 centers*");
    }

    [Fact]
    public void Validate_CountsAndCentersDisagree_Rejected()
    {
        var o = new MakeBlobsOptions { SamplesPerCenter = new[] { 5, 5, 5 }, CenterPoints = new[] { new[] { 0.0 }, new[] { 1.0 } } };

        o.Invoking(x => x.Validate()).Should().Throw<ArgumentException>().WithMessage("SamplesPerCenter has 3 counts but CenterPoints has 2 centers*");
    }

    [Fact]
    public void Generate_FixedCentersAndStds_SampleMeansAndStdsMatch()
    {
        var centers = new[] { new[] { 0.0, 0.0, 0.0 }, new[] { 20.0, -5.0, 3.0 } };
        var o = new MakeBlobsOptions { Samples = 20000, CenterPoints = centers, ClusterStd = new[] { 0.5, 2.0 } };

        var r = MakeBlobs.Generate(o, 3);

        r.Data.Features.Should().Be(3);
        for (int k = 0; k < 2; k++)
        {
            var members = Enumerable.Range(0, r.Data.Count).Where(i => r.Data.Labels[i] == k).ToArray();
            members.Should().HaveCount(10000);
            for (int j = 0; j < 3; j++)
            {
                var column = members.Select(i => r.Data[i, j]).ToArray();
                double mean = column.Average();
                double std = Math.Sqrt(column.Sum(v => (v - mean) * (v - mean)) / (column.Length - 1));

                // Standard error of the mean: std / 100; of the std: about std / 141.
                mean.Should().BeApproximately(centers[k][j], 5 * r.ClusterStd[k] / 100);
                std.Should().BeApproximately(r.ClusterStd[k], 5 * r.ClusterStd[k] / 141);
            }
        }
    }

    [Fact]
    public void Generate_RandomCenters_InsideTheBoxAndEvenCounts()
    {
        var o = new MakeBlobsOptions { Samples = 10, Centers = 4, Features = 5, CenterBox = (2.0, 3.0) };

        var r = MakeBlobs.Generate(o, 8);

        r.Centers.SelectMany(c => c).Should().OnlyContain(v => v >= 2.0 && v < 3.0);
        // 10 over 4 centers: 2 each, the 2 left over to centers 0 and 1.
        Enumerable.Range(0, 4).Select(k => r.Data.Labels.Count(l => l == k)).Should().Equal(3, 3, 2, 2);
    }

    [Fact]
    public void Generate_SamplesPerCenter_SetsCountsAndCenterCount()
    {
        var r = MakeBlobs.Generate(new MakeBlobsOptions { SamplesPerCenter = new[] { 1, 4, 0, 2 }, Shuffle = false }, 1);

        r.Centers.Should().HaveCount(4);
        r.Data.Labels.Should().Equal(0, 1, 1, 1, 1, 3, 3);
    }

    [Fact]
    public void Generate_SameSeed_Identical_DifferentSeed_Different()
    {
        var a = MakeBlobs.Generate(new MakeBlobsOptions(), 5);
        var b = MakeBlobs.Generate(new MakeBlobsOptions(), 5);
        var c = MakeBlobs.Generate(new MakeBlobsOptions(), 6);

        a.Data.ToRowMajor().Should().Equal(b.Data.ToRowMajor());
        a.Data.Labels.Should().Equal(b.Data.Labels);
        a.Data.ToRowMajor().Should().NotEqual(c.Data.ToRowMajor());
    }
}
