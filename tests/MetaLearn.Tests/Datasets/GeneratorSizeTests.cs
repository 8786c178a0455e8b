using MetaLearn.Datasets;
using MetaLearn.Sampling;

namespace MetaLearn.Tests.Datasets;

/// <summary>Generator and sampler sizes whose arrays cannot exist fail with an ArgumentException naming the factors, before any allocation.</summary>
public sealed class GeneratorSizeTests
{
    [Fact]
    public void MakeClassificationGenerate_SamplesTimesFeaturesOverflowsAnArray_ThrowsNamingBoth()
    {
        var options = new MakeClassificationOptions { Samples = 100_000, Features = 100_000, Informative = 2, Redundant = 0 };

        var thrown = Record.Exception(() => MakeClassification.Generate(options, 1));

        thrown.Should().BeOfType<ArgumentException>();
        thrown!.Message.Should().Be(
            "make_classification's data would need Samples (100000) * Features (100000) = 10,000,000,000 values (74.51 GB), " +
            "more than the 2,147,483,591 elements one .NET array can hold: lower Samples or Features.");
    }

    [Fact]
    public void MakeClassificationValidate_InformativeSquaredOverflows_ThrowsNamingInformative()
    {
        var options = new MakeClassificationOptions { Samples = 10, Features = 60_000, Informative = 50_000, Redundant = 0 };

        var thrown = Record.Exception(options.Validate);

        thrown.Should().BeOfType<ArgumentException>();
        thrown!.Message.Should().StartWith("make_classification's covariance would need Informative (50000) * Informative (50000) = 2,500,000,000 values")
            .And.EndWith("lower Informative.");
    }

    [Fact]
    public void MakeClassificationValidate_CentroidsOverflow_ThrowsNamingClassesAndClusters()
    {
        var options = new MakeClassificationOptions { Samples = 10, Features = 40, Informative = 40, Redundant = 0, Classes = 100_000, ClustersPerClass = 100_000 };

        var thrown = Record.Exception(options.Validate);

        thrown.Should().BeOfType<ArgumentException>();
        thrown!.Message.Should().Contain("Classes (100000) * ClustersPerClass (100000) * Informative (40) = 400,000,000,000 values");
    }

    [Fact]
    public void MakeBlobsGenerate_SamplesPerCenterSumOverflowsInt_ThrowsArgumentExceptionNotOverflowException()
    {
        var options = new MakeBlobsOptions { SamplesPerCenter = [int.MaxValue, int.MaxValue], Features = 1 };

        var thrown = Record.Exception(() => MakeBlobs.Generate(options, 1));

        thrown.Should().BeOfType<ArgumentException>();
        thrown!.Message.Should().Contain("samples (4294967294) * features (1) = 4,294,967,294 values").And.Contain("lower Samples (or SamplesPerCenter) or Features");
    }

    [Fact]
    public void GaussianClassificationSampler_EpisodeOverflowsAnArray_ThrowsAtConstruction()
    {
        var options = new GaussianClassificationTaskOptions { Ways = 1000, Shots = 1000, Queries = 1000, Features = 2000 };

        var thrown = Record.Exception(() => TaskSamplers.GaussianClassification(options));

        thrown.Should().BeOfType<ArgumentException>();
        thrown!.Message.Should().StartWith("An episode of the Gaussian classification sampler would need Ways (1000) * Shots + Queries (2000) * features (2000) = 4,000,000,000 values");
    }

    [Fact]
    public void EpisodicSampler_ShotsPlusQueriesOverflowInt_ThrowsNamingTheClassSize()
    {
        using var data = LabeledDataset.FromRows(new double[12], 1, [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1], 2);

        var thrown = Record.Exception(() => TaskSamplers.Episodes(data, new EpisodicSamplerOptions { Ways = 2, Shots = int.MaxValue, Queries = 2 }));

        thrown.Should().BeOfType<ArgumentException>();
        thrown!.Message.Should().Contain("has 6 example(s) but each episode needs Shots + Queries = 2147483649");
    }
}
