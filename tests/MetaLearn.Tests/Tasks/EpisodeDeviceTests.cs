using MetaLearn.Tasks;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Tasks;

/// <summary>
/// Device mismatches fail with a message instead of libtorch's "Expected all tensors to be on the same device". With no
/// GPU here, the second device is libtorch's <c>meta</c> device (shapes without values), which TorchSharp 0.107 supports.
/// </summary>
public sealed class EpisodeDeviceTests
{
    private static readonly Device Meta = torch.device("meta");

    [Fact]
    public void Constructor_SupportInputOnAnotherDeviceThanTheTargets_ThrowsNamingBothDevices()
    {
        var thrown = Record.Exception(() => new Episode(
            zeros(4, 3, device: Meta), tensor(new long[] { 0, 1, 0, 1 }), zeros(2, 3), tensor(new long[] { 0, 1 }), new EpisodeInfo(2, 2, 1, 0)));

        thrown.Should().BeOfType<ArgumentException>();
        thrown!.Message.Should().Be(
            "The episode's tensors are on different devices: support input 0 is on meta, support targets on cpu. Build an episode on one device " +
            "(move its tensors with .to(device)); training and adaptation move whole episodes to the model's device themselves.");
    }

    [Fact]
    public void Constructor_EverythingOnTheMetaDevice_ThrowsSayingItHoldsNoValues()
    {
        var thrown = Record.Exception(() => new Episode(
            zeros(4, 3, device: Meta), zeros(new long[] { 4 }, ScalarType.Int64, Meta), zeros(2, 3, device: Meta), zeros(new long[] { 2 }, ScalarType.Int64, Meta),
            new EpisodeInfo(2, 2, 1, 0)));

        thrown.Should().BeOfType<ArgumentException>();
        thrown!.Message.Should().Contain("meta device, which holds shapes but no values").And.Contain("build episodes from data on the CPU or a GPU");
    }
}
