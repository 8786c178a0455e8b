using MetaLearn.Sampling;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Sampling;

public sealed class MultimodalRegressionTaskSamplerTests
{
    [Fact]
    public void Defaults_TwoModalitiesSinusoidRanges()
    {
        var o = new MultimodalRegressionTaskOptions();

        (o.Shots, o.Queries, o.Ranges.AmplitudeMin, o.Ranges.AmplitudeMax, o.Ranges.PhaseMin, o.Ranges.PhaseMax, o.Ranges.InputMin, o.Ranges.InputMax).Should().Be((10, 10, 0.1, 2.5, 0.0, Math.PI, -5.0, 5.0));
        o.Modalities.Should().HaveCount(2).And.OnlyContain(m => m.Features == 4 && m.NoiseStd == 0.05 && !m.Noise);
    }

    [Fact]
    public void Init_InvalidValue_Throws()
    {
        FluentActions.Invoking(() => new MultimodalRegressionTaskOptions { Shots = 0 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Shots");
        FluentActions.Invoking(() => new MultimodalRegressionTaskOptions { Ranges = null! }).Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("Ranges");
        FluentActions.Invoking(() => new MultimodalRegressionTaskSampler(new MultimodalRegressionTaskOptions { Ranges = new SinusoidTaskOptions { AmplitudeMin = 3, AmplitudeMax = 1 } }))
            .Should().Throw<ArgumentException>().WithMessage("AmplitudeMin (3)*AmplitudeMax (1)*");
    }

    [Fact]
    public void Sample_TargetIsTheSumOfOneSinusoidPerInformativeModality()
    {
        var modalities = new[]
        {
            new ModalityOptions { Features = 3, NoiseStd = 0 },
            new ModalityOptions { Features = 2, NoiseStd = 0 },
            new ModalityOptions { Features = 2, NoiseStd = 0, Noise = true },
        };
        var sampler = new MultimodalRegressionTaskSampler(new MultimodalRegressionTaskOptions { Modalities = modalities, Shots = 20 });
        using var episode = sampler.Sample(4);
        var terms = sampler.Terms(4);

        terms[2].Amplitude.Should().Be(0);
        terms.Take(2).Should().OnlyContain(t => t.Amplitude >= 0.1 && t.Amplitude <= 2.5 && t.Phase >= 0 && t.Phase <= Math.PI);
        episode.SupportTargets.shape.Should().Equal(20, 1);
        var y = episode.SupportTargets.data<float>().ToArray();
        var u = Enumerable.Range(0, 2).Select(k =>
        {
            var a = sampler.ProjectionOf(k);
            var x = episode.SupportInputs[k].to(ScalarType.Float64).data<double>().ToArray();
            int f = modalities[k].Features;
            return Enumerable.Range(0, 20).Select(n => Enumerable.Range(0, f).Sum(j => a[j, 0] * x[(n * f) + j])).ToArray();
        }).ToArray();
        for (int n = 0; n < 20; n++)
        {
            double expected = (terms[0].Amplitude * Math.Sin(u[0][n] - terms[0].Phase)) + (terms[1].Amplitude * Math.Sin(u[1][n] - terms[1].Phase));
            y[n].Should().BeApproximately((float)expected, 1e-4f);
            u[0][n].Should().BeInRange(-5.0001, 5.0001);
        }
    }

    [Fact]
    public void Sample_MissingRate_AddsTheMask()
    {
        var sampler = new MultimodalRegressionTaskSampler(new MultimodalRegressionTaskOptions
        {
            Shots = 50,
            Modalities = new[] { new ModalityOptions { Features = 2 }, new ModalityOptions { Features = 2, MissingRate = 0.3 } },
        });
        using var episode = sampler.Sample(1);
        using var scope = NewDisposeScope();

        episode.SupportInputs.Should().HaveCount(3);
        episode.QueryInputs[2].shape.Should().Equal(10, 2);
        var mask = episode.SupportInputs[2];
        mask[.., 0].min().ToDouble().Should().Be(1, "modality 0 is never missing");
        mask[.., 1].mean().ToDouble().Should().BeInRange(0.55, 0.85);
    }
}
