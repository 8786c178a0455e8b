using MetaLearn.Sampling;
using MetaLearn.Tasks;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Sampling;

public sealed class ComplementaryTaskSamplerTests
{
    [Fact]
    public void Defaults_FourWaysTwoInformativeModalities()
    {
        var o = new ComplementaryTaskOptions();
        var m = new ModalityOptions();

        (o.Ways, o.Shots, o.Queries, o.LatentDimensions, o.Separation, o.ClusterStd, o.StructureSeed).Should().Be((4, 5, 10, 2, 2.0, 0.6, 0));
        o.Modalities.Should().HaveCount(2).And.OnlyContain(x => !x.Noise && x.Features == 8);
        o.GroupsPerModality.Should().Be(2);
        (m.Features, m.Noise, m.NonLinear, m.NoiseStd, m.MissingRate).Should().Be((8, false, false, 0.5, 0.0));
        ModalityOptions.PureNoise(3).Should().Be(m with { Features = 3, Noise = true });
        ModalityOptions.Informative(3).Should().Be(m with { Features = 3 });
    }

    [Fact]
    public void Init_InvalidValue_Throws()
    {
        FluentActions.Invoking(() => new ComplementaryTaskOptions { Ways = 1 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Ways");
        FluentActions.Invoking(() => new ComplementaryTaskOptions { Modalities = new[] { ModalityOptions.PureNoise(3) } })
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*at least one of them informative*");
        FluentActions.Invoking(() => new ModalityOptions { MissingRate = 1 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("MissingRate");
        FluentActions.Invoking(() => new ModalityOptions { NoiseStd = -1 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("NoiseStd");
        FluentActions.Invoking(() => new ComplementaryTaskSampler(new ComplementaryTaskOptions { Ways = 8, LatentDimensions = 1, Modalities = new[] { ModalityOptions.Informative(4) } }))
            .Should().Throw<ArgumentException>().WithMessage("*8 groups*raise LatentDimensions*");
    }

    [Fact]
    public void Sample_EachInformativeModalitySeparatesOnlyGroups_TogetherEveryClass()
    {
        var sampler = new ComplementaryTaskSampler(new ComplementaryTaskOptions
        {
            Ways = 6,
            Shots = 30,
            ClusterStd = 0.1,
            Modalities = new[] { ModalityOptions.Informative(5) with { NoiseStd = 0.05 }, ModalityOptions.Informative(3) with { NoiseStd = 0.05 }, ModalityOptions.PureNoise(4) },
        });
        using var episode = sampler.Sample(11);
        using var scope = NewDisposeScope();
        var g0 = sampler.Groups(11, 0);
        var g1 = sampler.Groups(11, 1);

        sampler.Options.GroupsPerModality.Should().Be(3);
        g0.Distinct().Should().HaveCount(3);
        g1.Distinct().Should().HaveCount(2);
        g0.Zip(g1).Distinct().Should().HaveCount(6, "the codes of all modalities together tell every class apart");
        sampler.Groups(11, 2).Should().OnlyContain(g => g == -1);
        double[,] Distances(Tensor x)
        {
            var means = x.view(6, 30, -1).mean(new long[] { 1 });
            var d = new double[6, 6];
            for (int a = 0; a < 6; a++)
            {
                for (int b = 0; b < 6; b++)
                {
                    d[a, b] = (means[a] - means[b]).norm().ToDouble();
                }
            }

            return d;
        }

        foreach (var (modality, groups) in new[] { (0, g0), (1, g1) })
        {
            var d = Distances(episode.SupportInputs[modality]);
            for (int a = 0; a < 6; a++)
            {
                for (int b = a + 1; b < 6; b++)
                {
                    if (groups[a] == groups[b])
                    {
                        d[a, b].Should().BeLessThan(0.3, $"classes {a} and {b} share group {groups[a]} in modality {modality}");
                    }
                    else
                    {
                        d[a, b].Should().BeGreaterThan(3.5, $"classes {a} and {b} sit on different hypercube vertices (2 x separation apart) in modality {modality}");
                    }
                }
            }
        }

        var noise = Distances(episode.SupportInputs[2]);
        Enumerable.Range(0, 5).Max(a => noise[a, a + 1]).Should().BeLessThan(2.0, "the noise modality's class means differ only by sampling error");
    }

    [Fact]
    public void Sample_NoNoise_FeaturesAreTheProjectedLatentVariables()
    {
        var sampler = new ComplementaryTaskSampler(new ComplementaryTaskOptions
        {
            Ways = 4,
            ClusterStd = 0,
            Modalities = new[] { ModalityOptions.Informative(6) with { NoiseStd = 0 }, ModalityOptions.Informative(6) with { NoiseStd = 0, NonLinear = true } },
        });
        using var episode = sampler.Sample(3);
        var a = sampler.ProjectionOf(0);

        (a.Transpose() * a - MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseIdentity(2)).InfinityNorm().Should().BeLessThan(1e-12);
        var x = episode.SupportInputs[0].to(ScalarType.Float64).data<double>().ToArray();
        var z = a.Transpose() * MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(x[..6]);
        z.Select(Math.Abs).Should().OnlyContain(v => Math.Abs(v - 2.0) < 1e-5, "a latent point without spread is a hypercube vertex ±Separation");
        episode.SupportInputs[1].abs().max().ToDouble().Should().BeLessThanOrEqualTo(1.0, "tanh bounds the non-linear modality");
    }

    [Fact]
    public void Sample_MissingRate_MaskIsTheLastInputAndMissingFeaturesAreNaN()
    {
        var sampler = new ComplementaryTaskSampler(new ComplementaryTaskOptions
        {
            Shots = 100,
            Modalities = new[] { ModalityOptions.Informative(3) with { MissingRate = 0.3 }, ModalityOptions.Informative(2) with { MissingRate = 0.5 } },
        });
        using var episode = sampler.Sample(5);
        using var scope = NewDisposeScope();

        sampler.HasMask.Should().BeTrue();
        episode.SupportInputs.Should().HaveCount(3);
        var mask = episode.SupportInputs[2];
        mask.shape.Should().Equal(400, 2);
        var (modalities, split) = ModalityMask.Split(episode.SupportInputs, 2, "test");
        split.Should().BeSameAs(mask);
        modalities.Should().HaveCount(2);
        var missing = mask.eq(zeros(1)).to(ScalarType.Float64).mean(new long[] { 0 }).data<double>().ToArray();
        missing[0].Should().BeInRange(0.2, 0.35, "30% are drawn missing, a few restored where both were");
        missing[1].Should().BeInRange(0.4, 0.55);
        mask.sum(1).min().ToDouble().Should().Be(1, "an example keeps at least one modality");
        for (int m = 0; m < 2; m++)
        {
            var nanRows = episode.SupportInputs[m].isnan().any(1);
            nanRows.eq(mask[.., m].eq(zeros(1))).all().ToBoolean().Should().BeTrue($"modality {m} is NaN exactly where the mask says missing");
            episode.SupportInputs[m].isnan().any(1).eq(episode.SupportInputs[m].isnan().all(1)).all().ToBoolean().Should().BeTrue();
        }
    }

    [Fact]
    public void Sample_SameSeed_SameEpisode_NoMaskWithoutMissingRate()
    {
        var sampler = new ComplementaryTaskSampler();
        using var a = sampler.Sample(9);
        using var b = sampler.Sample(9);
        using var c = sampler.Sample(10);

        a.SupportInputs.Should().HaveCount(2);
        TestEpisodes.Flatten(a.SupportInputs.Concat(a.QueryInputs)).Should().Equal(TestEpisodes.Flatten(b.SupportInputs.Concat(b.QueryInputs)));
        TestEpisodes.Flatten(a.SupportInputs).Should().NotEqual(TestEpisodes.Flatten(c.SupportInputs));
        a.SupportTargets.data<long>().ToArray().Should().Equal(Enumerable.Range(0, 20).Select(i => (long)(i / 5)));
    }
}
