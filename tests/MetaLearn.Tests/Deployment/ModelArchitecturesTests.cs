using System.Text.Json.Nodes;
using MetaLearn.Deployment;
using MetaLearn.Models;

namespace MetaLearn.Tests.Deployment;

/// <summary>The conv4 kind records its batch-norm statistics and refuses a description without them or with an unknown mode.</summary>
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

    [Fact]
    public void Conv4_DescriptionWithoutTheField_IsRefusedNamingIt()
    {
        // Format-1 learner files, which did not record it, are read by LearnerFile (LearnerFileVersion1Tests); a description
        // in the current form must say which statistics the model normalises with.
        var options = Description(1);
        options.Remove("batchNormStatistics");

        var act = () => new ModelArchitecture("conv4", options).Build();

        act.Should().Throw<ArgumentException>().WithMessage("*lacks the setting 'manifest.model.options.batchNormStatistics'*");
    }

    [Fact]
    public void Conv4_UnknownBatchNormStatistics_ThrowsNamingTheKnownOnes()
    {
        var options = Description(1);
        options["batchNormStatistics"] = "Instance";

        var act = () => new ModelArchitecture("conv4", options).Build();

        act.Should().Throw<ArgumentException>().WithMessage("*'Instance'*Support, Running, Transductive*");
    }

    private static JsonObject Description(int sets)
    {
        using var model = new Conv4(new Conv4Options { Ways = 2, Channels = 2, ImageSize = 4, Blocks = 1, BatchNormSets = sets });
        return ModelArchitecture.Of(model).Options;
    }
}
