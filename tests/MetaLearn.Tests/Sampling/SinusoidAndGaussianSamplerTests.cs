using MetaLearn.Sampling;

namespace MetaLearn.Tests.Sampling;

public sealed class SinusoidAndGaussianSamplerTests
{
    [Fact]
    public void Sinusoid_Sample_IsASineOfTheDrawnAmplitudeAndPhase_AndSeeded()
    {
        var sampler = new SinusoidTaskSampler();
        using var a = sampler.Sample(3);
        using var b = sampler.Sample(3);
        using var c = sampler.Sample(4);

        a.SupportInput.shape.Should().Equal(10, 1);
        a.QueryTargets.shape.Should().Equal(10, 1);
        TestEpisodes.Flatten(a.SupportInputs).Should().Equal(TestEpisodes.Flatten(b.SupportInputs));
        TestEpisodes.Flatten(a.SupportInputs).Should().NotEqual(TestEpisodes.Flatten(c.SupportInputs));
        double[] x = TestEpisodes.Flatten(a.SupportInputs);
        double[] y = TestEpisodes.Flatten(new[] { a.SupportTargets });
        x.Should().OnlyContain(v => v >= -5 && v <= 5);
        y.Select(Math.Abs).Max().Should().BeLessThanOrEqualTo(5.0001);

        // y = A sin(x - φ) = (A cos φ) sin x - (A sin φ) cos x: a least-squares fit on two points recovers it exactly.
        var m = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfRowArrays(x.Select(v => new[] { Math.Sin(v), -Math.Cos(v) }).ToArray());
        var coef = m.Solve(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(y));
        (m * coef - MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(y)).AbsoluteMaximum().Should().BeLessThan(1e-5);
        coef.L2Norm().Should().BeInRange(0.1, 5.0);
    }

    [Fact]
    public void Gaussian_Sample_IsClassMajorWithSeparatedMeans()
    {
        var sampler = new GaussianClassificationTaskSampler(new GaussianClassificationTaskOptions { Ways = 4, Shots = 3, Queries = 5, Features = 6, Separation = 10 });
        using var e = sampler.Sample(1);

        e.SupportInput.shape.Should().Equal(12, 6);
        e.QueryInput.shape.Should().Equal(20, 6);
        TestEpisodes.Flatten(new[] { e.SupportTargets }).Should().Equal(0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3);
        using var scope = TorchSharp.torch.NewDisposeScope();
        var supportMeans = e.SupportInput.view(4, 3, 6).mean(new long[] { 1 });
        var queryMeans = e.QueryInput.view(4, 5, 6).mean(new long[] { 1 });
        var distances = (queryMeans.unsqueeze(1) - supportMeans.unsqueeze(0)).square().sum(-1);
        TestEpisodes.Flatten(new[] { distances.argmin(1) }).Should().Equal(0, 1, 2, 3);
    }

    [Fact]
    public void Options_DefaultsAndInvalidValues()
    {
        var s = new SinusoidTaskOptions();
        (s.Shots, s.Queries, s.AmplitudeMin, s.AmplitudeMax, s.PhaseMin, s.PhaseMax, s.InputMin, s.InputMax).Should().Be((10, 10, 0.1, 5.0, 0.0, Math.PI, -5.0, 5.0));
        var g = new GaussianClassificationTaskOptions();
        (g.Ways, g.Shots, g.Queries, g.Features, g.Separation).Should().Be((5, 5, 5, 8, 2.0));

        ((Action)(() => _ = new SinusoidTaskOptions { Shots = 0 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new SinusoidTaskSampler(new SinusoidTaskOptions { AmplitudeMin = 3, AmplitudeMax = 1 }))).Should().Throw<ArgumentException>().WithMessage("AmplitudeMin (3) must be finite and not above AmplitudeMax (1).");
        ((Action)(() => _ = new GaussianClassificationTaskOptions { Ways = 1 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new GaussianClassificationTaskOptions { Separation = -1 })).Should().Throw<ArgumentOutOfRangeException>();
    }
}
