using MetaLearn.Models;

namespace MetaLearn.Tests;

/// <summary>The bytes a model's options describe, computed without building it, are the bytes the built model holds.</summary>
public sealed class AllocationSizeTests
{
    public static TheoryData<int[], torch.ScalarType> MlpCases() => new()
    {
        { new[] { 1, 40, 40, 1 }, torch.ScalarType.Float32 },
        { new[] { 7, 3 }, torch.ScalarType.Float64 },
        { new[] { 20, 64, 5, 9, 2 }, torch.ScalarType.Float32 },
    };

    public static TheoryData<Conv4Options> Conv4Cases() => new()
    {
        new Conv4Options(),
        new Conv4Options { Ways = 0, Channels = 8, ImageSize = 16, Blocks = 3 },
        new Conv4Options { Ways = 3, Channels = 6, InputChannels = 3, ImageSize = 21, Blocks = 2, BatchNormSets = 3 },
        new Conv4Options { Ways = 2, Channels = 4, ImageSize = 9, Blocks = 3, BatchNormStatistics = BatchNormStatistics.Running, DType = torch.ScalarType.Float64 },
        new Conv4Options { Ways = 4, Channels = 5, ImageSize = 8, Blocks = 3, BatchNormSets = 2, BatchNormStatistics = BatchNormStatistics.Running },
        new Conv4Options { Ways = 2, Channels = 3, ImageSize = 8, Blocks = 2, BatchNormSets = 2, BatchNormStatistics = BatchNormStatistics.Transductive },
    };

    [Theory]
    [MemberData(nameof(MlpCases))]
    public void ModelBytes_Mlp_EqualsTheBuiltModelsParametersAndBuffers(int[] layers, torch.ScalarType dtype)
    {
        var options = new MlpOptions { LayerSizes = layers, DType = dtype };
        using var model = new Mlp(options);

        AllocationSize.ModelBytes(options).Should().Be(Bytes(model));
    }

    [Theory]
    [MemberData(nameof(Conv4Cases))]
    public void ModelBytes_Conv4_EqualsTheBuiltModelsParametersAndBuffers(Conv4Options options)
    {
        using var model = new Conv4(options);

        AllocationSize.ModelBytes(options).Should().Be(Bytes(model));
    }

    [Fact]
    public void ModelBytes_OptionsDescribingZettabytes_AreComputedWithoutOverflow()
    {
        var conv = new Conv4Options { Channels = int.MaxValue, Blocks = int.MaxValue, DType = torch.ScalarType.Float64 };
        var mlp = new MlpOptions { LayerSizes = Enumerable.Repeat(int.MaxValue, 1000).ToArray() };

        // Each int.MaxValue x int.MaxValue weight alone is 2^62 values; nothing may wrap around to a small or negative size.
        AllocationSize.ModelBytes(conv).Should().BeGreaterThan((Int128)long.MaxValue * 1000);
        AllocationSize.ModelBytes(mlp).Should().BeGreaterThan((Int128)long.MaxValue * 900);
    }

    private static Int128 Bytes(FunctionalModel model) =>
        model.Parameters.Concat(model.Buffers).Aggregate(Int128.Zero, (sum, t) => sum + (t.NumberOfElements * t.ElementSize));
}
