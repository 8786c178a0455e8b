using MetaLearn.Models;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Models;

/// <summary>A forward pass with inputs on another device than the model fails before libtorch does.</summary>
public sealed class ModelDeviceTests
{
    [Fact]
    public void Forward_InputOnAnotherDeviceThanTheModel_ThrowsNamingBothAndTheFix()
    {
        using var model = new Mlp(MlpOptions.WithLayers(3, 4, 2));
        var input = zeros(5, 3, device: torch.device("meta"));

        var thrown = Record.Exception(() => model.Forward(new[] { input }, model.Parameters, default));

        thrown.Should().BeOfType<ArgumentException>();
        thrown!.Message.Should().StartWith("Input 0 is on meta but the model is on cpu: move the inputs with .to(model.Device)");
    }

    [Fact]
    public void Forward_InputOnTheModelsDevice_RunsAndGivesOneRowPerExample()
    {
        using var model = new Mlp(MlpOptions.WithLayers(3, 4, 2));
        using var input = zeros(5, 3);

        using var output = model.Forward(new[] { input }, model.Parameters, default);

        output.shape.Should().Equal(5L, 2L);
    }
}
