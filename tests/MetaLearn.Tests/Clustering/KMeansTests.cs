using MathNet.Numerics.LinearAlgebra;
using MetaLearn.Clustering;
using MetaLearn.Datasets;

namespace MetaLearn.Tests.Clustering;

public sealed class KMeansTests
{
    [Fact]
    public void Defaults_MatchScikitLearn()
    {
        var o = new KMeansOptions();

        (o.Clusters, o.Restarts, o.MaxIterations, o.Tolerance, o.Seed).Should().Be((8, 10, 300, 1e-4, 0));
    }

    [Fact]
    public void Init_InvalidValue_Throws()
    {
        FluentActions.Invoking(() => new KMeansOptions { Clusters = 0 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Clusters");
        FluentActions.Invoking(() => new KMeansOptions { Restarts = 0 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Restarts");
        FluentActions.Invoking(() => new KMeansOptions { MaxIterations = 0 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("MaxIterations");
        FluentActions.Invoking(() => new KMeansOptions { Tolerance = -1 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Tolerance");
    }

    [Fact]
    public void Fit_FewerPointsThanClusters_Rejected()
    {
        FluentActions.Invoking(() => KMeans.Fit(new[] { new[] { 0.0 }, new[] { 1.0 } }, new KMeansOptions { Clusters = 3 }))
            .Should().Throw<ArgumentException>().WithMessage("2 points cannot form 3 clusters*");
    }

    [Fact]
    public void Fit_WellSeparatedBlobs_RecoversThemUpToPermutation()
    {
        var blobs = MakeBlobs.Generate(new MakeBlobsOptions { Samples = 300, Centers = 4, Features = 3, ClusterStd = new[] { 0.3 }, CenterBox = (-20, 20) }, 2);
        var points = Enumerable.Range(0, blobs.Data.Count).Select(i => blobs.Data.Row(i)).ToArray();

        var result = KMeans.Fit(points, new KMeansOptions { Clusters = 4, Seed = 1 });

        ClusteringScores.AdjustedRandIndex(result.Labels, blobs.Data.Labels).Should().Be(1.0);
        foreach (var center in blobs.Centers)
        {
            result.Centers.Min(c => Math.Sqrt(KMeans.SquaredDistance(c.ToArray(), center.ToArray()))).Should().BeLessThan(0.2);
        }
    }

    [Fact]
    public void Fit_TwoPairs_CentersAreMeansAndInertiaIsSumOfSquares()
    {
        // Points 0 and 2 on a line, and 10 and 14: centers 1 and 12; inertia 1 + 1 + 4 + 4 = 10.
        var m = Matrix<double>.Build.DenseOfArray(new double[,] { { 0 }, { 2 }, { 10 }, { 14 } });

        var result = KMeans.Fit(m, new KMeansOptions { Clusters = 2 });

        result.Centers.Select(c => c[0]).Order().Should().Equal(1.0, 12.0);
        result.Inertia.Should().Be(10.0);
        result.Labels[0].Should().Be(result.Labels[1]).And.NotBe(result.Labels[2]);
    }

    [Fact]
    public void Fit_SameSeed_SameResult()
    {
        var blobs = MakeBlobs.Generate(new MakeBlobsOptions { Samples = 100, Centers = 5, ClusterStd = new[] { 3.0 } }, 3);
        var points = Enumerable.Range(0, 100).Select(i => blobs.Data.Row(i)).ToArray();

        var a = KMeans.Fit(points, new KMeansOptions { Clusters = 5, Seed = 4, Restarts = 2 });
        var b = KMeans.Fit(points, new KMeansOptions { Clusters = 5, Seed = 4, Restarts = 2 });

        a.Labels.Should().Equal(b.Labels);
        a.Inertia.Should().Be(b.Inertia);
    }
}
