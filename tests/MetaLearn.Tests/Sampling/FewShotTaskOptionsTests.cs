using MetaLearn.Sampling;

namespace MetaLearn.Tests.Sampling;

public sealed class FewShotTaskOptionsTests
{
    public static TheoryData<ClassificationTaskOptions, int, int, int, int> ClassificationDefaults => new()
    {
        { new ComplementaryTaskOptions(), 4, 5, 10, 2 },
        { new MultimodalTaskOptions(), 3, 5, 10, 2 },
        { new GaussianClassificationTaskOptions(), 5, 5, 5, 2 },
        { new ProjectedClusterTaskOptions(), 3, 5, 15, 1 },
        { new MakeClassificationTaskOptions(), 3, 5, 15, 1 },
        { new BlobsTaskOptions(), 3, 5, 15, 1 },
        { new EpisodicSamplerOptions(), 5, 1, 15, 1 },
    };

    [Theory]
    [MemberData(nameof(ClassificationDefaults))]
    public void ClassificationOptions_DefaultsAndSmallestWays_AreEachSamplers(ClassificationTaskOptions options, int ways, int shots, int queries, int minimumWays)
    {
        (options.Ways, options.Shots, options.Queries).Should().Be((ways, shots, queries));
        (options with { Ways = minimumWays }).Ways.Should().Be(minimumWays);
        FluentActions.Invoking(() => options with { Ways = minimumWays - 1 }).Should().Throw<ArgumentOutOfRangeException>()
            .Which.ParamName.Should().Be("Ways");
        FluentActions.Invoking(() => options with { Shots = 0 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Shots");
        FluentActions.Invoking(() => options with { Queries = 0 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Queries");
    }

    [Fact]
    public void SineRanges_DefaultsDifferOnlyInLargestAmplitude_AndAReversedRangeIsNamed()
    {
        var sine = new SinusoidTaskOptions();
        var multimodal = new MultimodalRegressionTaskOptions();
        (sine.Shots, sine.Queries, sine.AmplitudeMin, sine.AmplitudeMax, sine.PhaseMax, sine.InputMin, sine.InputMax)
            .Should().Be((10, 10, 0.1, 5.0, Math.PI, -5.0, 5.0));
        multimodal.Ranges.Should().Be(sine with { AmplitudeMax = 2.5 });
        FluentActions.Invoking(() => (sine with { PhaseMin = 4, PhaseMax = 1 }).Validate()).Should().Throw<ArgumentException>()
            .WithMessage("PhaseMin (4)*PhaseMax (1)*");
    }

    [Fact]
    public void TaskSampler_ValidatesCrossPropertyRulesWhenCreated_BeforeAnyEpisode()
    {
        FluentActions.Invoking(() => new SinusoidTaskSampler(new SinusoidTaskOptions { InputMin = 2, InputMax = -2 }))
            .Should().Throw<ArgumentException>().WithMessage("InputMin (2)*InputMax (-2)*");
        FluentActions.Invoking(() => new ComplementaryTaskSampler(new ComplementaryTaskOptions { Ways = 9, LatentDimensions = 1 }))
            .Should().Throw<ArgumentException>().WithMessage("*hypercube has only 2 vertices*");
        var sampler = new GaussianClassificationTaskSampler(new GaussianClassificationTaskOptions { Ways = 2, Shots = 3, Queries = 4 });
        using var episode = sampler.Sample(7);
        episode.SupportTargets.shape[0].Should().Be(6);
        episode.QueryTargets.shape[0].Should().Be(8);
    }
}
