using System.Text.Json.Nodes;
using MetaLearn.Deployment;
using MetaLearn.Models;

namespace MetaLearn.Tests.Deployment;

/// <summary>The conv4 kind records its batch-norm statistics, and reads files written before it did as they behaved.</summary>
public sealed class ModelArchitecturesTests
{
    [Theory]
    [InlineData(BatchNormStatistics.Support)]
    [InlineData(BatchNormStatistics.Running)]
    [InlineData(BatchNormStatistics.Transductive)]
    public void Conv4_DescribedAndBuilt_KeepsItsBatchNormStatistics(BatchNormStatistics statistics)
    {
        using var model = new Conv4(new Conv4Options { Ways = 2, Channels = 2, ImageSize = 4, Blocks = 1, BatchNormStatistics = statistics });

        var architecture = ModelArchitecture.Of(model);
        using var built = (Conv4)architecture.Build();

        architecture.Options["batchNormStatistics"]!.GetValue<string>().Should().Be(statistics.ToString());
        built.Options.BatchNormStatistics.Should().Be(statistics);
        built.BufferNames.Should().Equal(model.BufferNames);
    }

    [Theory]
    [InlineData(1, null, BatchNormStatistics.Transductive)]
    [InlineData(1, false, BatchNormStatistics.Transductive)]
    [InlineData(1, true, BatchNormStatistics.Running)]
    [InlineData(2, null, BatchNormStatistics.Running)]
    public void Conv4_DescriptionWithoutTheField_IsBuiltAsThatVersionBehaved(int sets, bool? tracked, BatchNormStatistics expected)
    {
        var options = Description(sets);
        options.Remove("batchNormStatistics");
        if (tracked is bool t)
        {
            options["trackRunningStatistics"] = t;
        }

        using var built = (Conv4)new ModelArchitecture("conv4", options).Build();

        built.Options.BatchNormStatistics.Should().Be(expected, "a Conv4 without running statistics normalised every pass over its own rows");
    }

    [Fact]
    public void Conv4_UnknownBatchNormStatistics_ThrowsNamingTheKnownOnes()
    {
        var options = Description(1);
        options["batchNormStatistics"] = "Instance";

        var act = () => new ModelArchitecture("conv4", options).Build();

        act.Should().Throw<NotSupportedException>().WithMessage("*'Instance'*Support, Running, Transductive*");
    }

    private static JsonObject Description(int sets)
    {
        using var model = new Conv4(new Conv4Options { Ways = 2, Channels = 2, ImageSize = 4, Blocks = 1, BatchNormSets = sets });
        return ModelArchitecture.Of(model).Options;
    }
}
