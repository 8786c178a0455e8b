using MetaLearn.Clustering;
using MetaLearn.Sampling;
using MetaLearn.Tasks;

namespace MetaLearn.Tests.Sampling;

public sealed class ProjectedClusterTaskSamplerTests
{
    [Fact]
    public void Defaults_TenDimensionsThreeWays()
    {
        var o = new ProjectedClusterTaskOptions();

        (o.Dimensions, o.Ways, o.Shots, o.Queries, o.StructureSeed).Should().Be((10, 3, 5, 15, 0));
        (o.ClusterStd, o.CenterBox, o.MinCenterDistance, o.NoiseStd).Should().Be((1.0, 6.0, 6.0, 8.0));
    }

    [Fact]
    public void Init_InvalidValue_Throws()
    {
        FluentActions.Invoking(() => new ProjectedClusterTaskOptions { Dimensions = 2 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Dimensions");
        FluentActions.Invoking(() => new ProjectedClusterTaskOptions { NoiseStd = 0 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("NoiseStd");
        FluentActions.Invoking(() => new ProjectedClusterTaskOptions { Ways = 0 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Ways");
    }

    [Fact]
    public void Constructor_CentersCannotFit_Rejected()
    {
        var o = new ProjectedClusterTaskOptions { Ways = 20, CenterBox = 1, MinCenterDistance = 5 };

        FluentActions.Invoking(() => new ProjectedClusterTaskSampler(o)).Should().Throw<ArgumentException>()
            .WithMessage("20 centers at least 5 apart do not fit*");
    }

    [Fact]
    public void Projection_HasOrthonormalRows()
    {
        var p = new ProjectedClusterTaskSampler().Projection;

        (p * p.Transpose()).Should().Match<MathNet.Numerics.LinearAlgebra.Matrix<double>>(m =>
            Math.Abs(m[0, 0] - 1) < 1e-12 && Math.Abs(m[1, 1] - 1) < 1e-12 && Math.Abs(m[0, 1]) < 1e-12);
    }

    [Fact]
    public void Sample_ShapesLabelsAndDeterminism()
    {
        var sampler = new ProjectedClusterTaskSampler();
        using var a = sampler.Sample(1);
        using var b = sampler.Sample(1);

        a.SupportInput.shape.Should().Equal(15, 10);
        a.QueryInput.shape.Should().Equal(45, 10);
        a.QueryTargets.data<long>().ToArray().Should().Equal(Enumerable.Range(0, 3).SelectMany(c => Enumerable.Repeat((long)c, 15)));
        a.QueryInput.data<float>().ToArray().Should().Equal(b.QueryInput.data<float>().ToArray());
        a.Info.Should().Be(new EpisodeInfo(3, 5, 15, 1));
    }

    [Fact]
    public void KMeans_RawInputsFailButTrueProjectionSucceeds()
    {
        var sampler = new ProjectedClusterTaskSampler();
        var raw = new List<double>();
        var projected = new List<double>();
        for (int seed = 0; seed < 20; seed++)
        {
            using var episode = sampler.Sample(seed);
            var x = episode.SupportInput.data<float>().ToArray().Concat(episode.QueryInput.data<float>().ToArray()).ToArray();
            var labels = episode.SupportTargets.data<long>().ToArray().Concat(episode.QueryTargets.data<long>().ToArray()).Select(l => (int)l).ToArray();
            var points = Enumerable.Range(0, labels.Length).Select(i => x.AsSpan(i * 10, 10).ToArray()).ToArray();
            var options = new KMeansOptions { Clusters = 3, Seed = seed, Restarts = 5 };

            raw.Add(ClusteringScores.AdjustedRandIndex(KMeans.Fit(points.Select(p => p.Select(v => (double)v).ToArray()).ToArray(), options).Labels, labels));
            var plane = points.Select(p => { var (u, v) = sampler.Project(p); return new[] { u, v }; }).ToArray();
            projected.Add(ClusteringScores.AdjustedRandIndex(KMeans.Fit(plane, options).Labels, labels));
        }

        raw.Average().Should().BeLessThan(0.5);
        projected.Average().Should().BeGreaterThan(0.9);
    }
}
