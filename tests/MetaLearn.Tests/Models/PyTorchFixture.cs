using System.Runtime.InteropServices;
using MetaLearn.Models;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Models;

/// <summary>
/// The state dicts PyTorch 1.13 wrote with <c>Fixtures/pytorch/make_state_dict.py</c> (committed with its outputs; the
/// tests do not need Python), and the TorchSharp networks that match them.
/// </summary>
internal static class PyTorchFixture
{
    /// <summary>The fixture's conv net: <c>nn.Sequential(Conv2d(1, 4, 3, padding=1), BatchNorm2d(4), ReLU(), MaxPool2d(2), Flatten(), Linear(64, 5))</c>.</summary>
    public static string ConvNetFile => Fixture("conv_net.pt");

    /// <summary>The fixture's MLP, named as MetaLearn's <see cref="Mlp"/>(3, 16, 16, 2).</summary>
    public static string MlpFile => Fixture("mlp.pt");

    /// <summary>A checkpoint dictionary <c>{"model": conv_net's state dict, "epoch": 3}</c>.</summary>
    public static string CheckpointFile => Fixture("checkpoint.pt");

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", name);

    /// <summary>The TorchSharp module of the conv net's architecture (children named 0 to 5, as in PyTorch).</summary>
    public static nn.Module<Tensor, Tensor> ConvModule(long outputs = 5, bool extraLayer = false)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>
        {
            nn.Conv2d(1, 4, 3, padding: 1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64, outputs),
        };
        if (extraLayer)
        {
            layers.Add(nn.Linear(outputs, 2));
        }

        return nn.Sequential(layers.ToArray());
    }

    /// <summary>The conv net's six inputs [6, 1, 8, 8] and PyTorch's eval-mode outputs [6, 5].</summary>
    public static (Tensor Input, Tensor Output) ConvData() => (Floats("conv_input.bin", 6, 1, 8, 8), Floats("conv_output.bin", 6, 5));

    /// <summary>The MLP's seven inputs [7, 3] and PyTorch's outputs [7, 2].</summary>
    public static (Tensor Input, Tensor Output) MlpData() => (Floats("mlp_input.bin", 7, 3), Floats("mlp_output.bin", 7, 2));

    /// <summary>Whether two tensors have the same shape and equal values.</summary>
    public static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().ToBoolean();

    public static double MaxAbs(Tensor a, Tensor b) => (a - b).abs().max().ToDouble();

    /// <summary>Copies of a module's or model's tensors, by name, for comparing before and after.</summary>
    public static Dictionary<string, Tensor> Snapshot(IEnumerable<(string Name, Tensor Tensor)> tensors) =>
        tensors.ToDictionary(t => t.Name, t => t.Tensor.detach().clone());

    public static IEnumerable<(string Name, Tensor Tensor)> Named(nn.Module module) => module.state_dict().Select(kv => (kv.Key, kv.Value));

    public static IEnumerable<(string Name, Tensor Tensor)> Named(IFunctionalModel model) =>
        model.ParameterNames.Zip(model.Parameters, (n, p) => (n, (Tensor)p)).Concat(model.BufferNames.Zip(model.Buffers));

    /// <summary>Whether every tensor equals the snapshot's exactly (same dtype, shape and values).</summary>
    public static void ShouldEqual(IEnumerable<(string Name, Tensor Tensor)> tensors, Dictionary<string, Tensor> snapshot)
    {
        var list = tensors.ToList();
        list.Select(t => t.Name).Should().BeEquivalentTo(snapshot.Keys);
        foreach (var (name, tensor) in list)
        {
            tensor.dtype.Should().Be(snapshot[name].dtype, name);
            Same(tensor, snapshot[name]).Should().BeTrue($"'{name}' should be unchanged");
        }
    }

    /// <summary>Fills every floating-point tensor with seeded normal values and integer ones with a count, so no value is a default.</summary>
    public static void Randomise(IEnumerable<(string Name, Tensor Tensor)> tensors, long seed)
    {
        using var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        long count = 7;
        foreach (var (_, tensor) in tensors)
        {
            if (tensor.is_floating_point())
            {
                tensor.copy_(randn(tensor.shape, dtype: tensor.dtype, generator: generator).abs_().add_(0.1));
            }
            else
            {
                tensor.fill_(count++);
            }
        }
    }

    private static Tensor Floats(string name, params long[] shape)
    {
        byte[] bytes = File.ReadAllBytes(Fixture(name));
        float[] values = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        values.Length.Should().Be((int)shape.Aggregate(1L, (a, b) => a * b), $"{name} holds a tensor of shape [{string.Join(", ", shape)}] (little-endian float32)");
        return tensor(values, shape);
    }
}
