using MetaLearn.Models;
using MetaLearn.Tasks;
using static TorchSharp.torch;
using Module = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace MetaLearn.Tests.Models;

/// <summary>One small float64 module per supported layer type (with an input), and small networks for gradient tests.</summary>
internal static class ModuleCases
{
    private const ScalarType F64 = ScalarType.Float64;

    /// <summary>Per layer: a module wrapped in a Sequential and an input of one task ([N, ...]).</summary>
    public static (Module Module, Func<Tensor> Input) Layer(string name)
    {
        manual_seed(11);
        (Module Module, Func<Tensor> Input) layer = name switch
        {
            "Linear" => (nn.Linear(4, 3, dtype: F64), () => randn(5, 4, dtype: F64)),
            "LinearNoBias" => (nn.Linear(4, 3, hasBias: false, dtype: F64), () => randn(5, 4, dtype: F64)),
            "Conv1d" => (nn.Conv1d(2, 4, 3, stride: 2, padding: 1, dilation: 1, groups: 2, dtype: F64), () => randn(5, 2, 9, dtype: F64)),
            "Conv2d" => (nn.Conv2d(2, 4, 3, padding: 1, dtype: F64), () => randn(5, 2, 6, 6, dtype: F64)),
            "Conv2dStrideDilationGroupsNoBias" => (nn.Conv2d(4, 6, (3, 2), stride: (2, 1), padding: (2, 1), dilation: (2, 1), groups: 2, bias: false, dtype: F64), () => randn(5, 4, 7, 6, dtype: F64)),
            "Conv2dSame" => (nn.Conv2d(2, 3, 3, padding: TorchSharp.Padding.Same, dtype: F64), () => randn(5, 2, 5, 5, dtype: F64)),
            "BatchNorm1d" => (WithStatistics(nn.BatchNorm1d(3, dtype: F64)), () => randn(6, 3, dtype: F64)),
            "BatchNorm2d" => (WithStatistics(nn.BatchNorm2d(3, dtype: F64)), () => randn(6, 3, 4, 4, dtype: F64)),
            "BatchNorm2dNoAffineNoTracking" => (nn.BatchNorm2d(3, affine: false, track_running_stats: false, dtype: F64), () => randn(6, 3, 4, 4, dtype: F64)),
            "LayerNorm" => (Perturbed(nn.LayerNorm(new long[] { 3, 4 }, dtype: F64)), () => randn(5, 2, 3, 4, dtype: F64)),
            "GroupNorm" => (Perturbed(nn.GroupNorm(2, 4, dtype: F64)), () => randn(5, 4, 3, 3, dtype: F64)),
            "Embedding" => (nn.Embedding(7, 3, dtype: F64), () => randint(0, 7, new long[] { 5, 4 })),
            "Dropout" => (nn.Dropout(0.3), () => randn(5, 6, dtype: F64)),
            "MaxPool2d" => (nn.MaxPool2d(new long[] { 3, 2 }, new long[] { 2, 1 }, new long[] { 1, 0 }, new long[] { 1, 1 }, true), () => randn(5, 2, 7, 6, dtype: F64)),
            "AvgPool2d" => (nn.AvgPool2d(new long[] { 2, 3 }, new long[] { 2, 2 }, new long[] { 1, 1 }, false, false, null), () => randn(5, 2, 6, 7, dtype: F64)),
            "AdaptiveAvgPool2d" => (nn.AdaptiveAvgPool2d(new long[] { 2, 3 }), () => randn(5, 2, 7, 7, dtype: F64)),
            "Flatten" => (nn.Flatten(), () => randn(5, 2, 3, 4, dtype: F64)),
            "FlattenRange" => (nn.Flatten(2, 3), () => randn(new long[] { 5, 2, 3, 4, 2 }, dtype: F64)),
            "Identity" => (nn.Identity(), () => randn(5, 3, dtype: F64)),
            "ReLU" => (nn.ReLU(), () => randn(5, 3, dtype: F64)),
            "LeakyReLU" => (nn.LeakyReLU(0.2), () => randn(5, 3, dtype: F64)),
            "ELU" => (nn.ELU(0.7), () => randn(5, 3, dtype: F64)),
            "GELU" => (nn.GELU(), () => randn(5, 3, dtype: F64)),
            "GELUTanh" => (nn.GELU(TorchSharp.Modules.GELU.Approximate.tanh), () => randn(5, 3, dtype: F64)),
            "SiLU" => (nn.SiLU(), () => randn(5, 3, dtype: F64)),
            "Tanh" => (nn.Tanh(), () => randn(5, 3, dtype: F64)),
            "Sigmoid" => (nn.Sigmoid(), () => randn(5, 3, dtype: F64)),
            "Softmax" => (nn.Softmax(1), () => randn(5, 3, dtype: F64)),
            "LogSoftmax" => (nn.LogSoftmax(-1), () => randn(5, 3, dtype: F64)),
            "Residual" => (new ResidualBlock(nn.Sequential(nn.Conv2d(2, 2, 3, padding: 1, dtype: F64), nn.ReLU()), null, nn.ReLU()), () => randn(5, 2, 4, 4, dtype: F64)),
            "ResidualWithShortcut" => (new ResidualBlock(nn.Conv2d(2, 3, 3, padding: 1, dtype: F64), nn.Conv2d(2, 3, 1, dtype: F64), nn.MaxPool2d(2)), () => randn(5, 2, 4, 4, dtype: F64)),
            _ => throw new ArgumentException(name),
        };
        return (nn.Sequential(("layer", layer.Module)), layer.Input);
    }

    public static IEnumerable<object[]> LayerNames => new[]
    {
        "Linear", "LinearNoBias", "Conv1d", "Conv2d", "Conv2dStrideDilationGroupsNoBias", "Conv2dSame", "BatchNorm1d", "BatchNorm2d",
        "BatchNorm2dNoAffineNoTracking", "LayerNorm", "GroupNorm", "Embedding", "Dropout", "MaxPool2d", "AvgPool2d",
        "AdaptiveAvgPool2d", "Flatten", "FlattenRange", "Identity", "ReLU", "LeakyReLU", "ELU", "GELU", "GELUTanh", "SiLU",
        "Tanh", "Sigmoid", "Softmax", "LogSoftmax", "Residual", "ResidualWithShortcut",
    }.Select(n => new object[] { n });

    /// <summary>Small classification networks that together pass through every supported layer, with an episode for each.</summary>
    public static (Module Module, Episode Episode) Network(string name)
    {
        manual_seed(5);
        const int ways = 3;
        (Module Module, Func<int, Tensor> Input) network = name switch
        {
            "Dense" => (nn.Sequential(
                nn.Linear(4, 6, dtype: F64), Perturbed(nn.LayerNorm(6, dtype: F64)), nn.LeakyReLU(0.1), WithStatistics(nn.BatchNorm1d(6, dtype: F64)), nn.ELU(),
                nn.Linear(6, 6, hasBias: false, dtype: F64), nn.GELU(), nn.Dropout(0.0), nn.SiLU(), nn.Identity(), nn.Linear(6, 5, dtype: F64),
                nn.Tanh(), nn.Linear(5, 5, dtype: F64), nn.Sigmoid(), nn.Linear(5, 4, dtype: F64), nn.Softmax(1), nn.Linear(4, ways, dtype: F64), nn.LogSoftmax(1)),
                n => randn(n, 4, dtype: F64)),
            "Image" => (nn.Sequential(
                nn.Conv2d(2, 4, 3, padding: 1, dtype: F64), WithStatistics(nn.BatchNorm2d(4, dtype: F64)), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(4, 4, (3, 2), stride: (1, 1), padding: (2, 1), dilation: (2, 1), groups: 2, bias: false, dtype: F64), Perturbed(nn.GroupNorm(2, 4, dtype: F64)),
                nn.AvgPool2d(2), nn.AdaptiveAvgPool2d(new long[] { 2, 1 }), nn.Flatten(), nn.Linear(8, ways, dtype: F64)),
                n => randn(n, 2, 8, 8, dtype: F64)),
            "Sequence" => (nn.Sequential(
                nn.Conv1d(2, 4, 3, stride: 2, padding: 1, dtype: F64), WithStatistics(nn.BatchNorm1d(4, dtype: F64)), nn.Tanh(), nn.Flatten(), nn.Linear(20, ways, dtype: F64)),
                n => randn(n, 2, 9, dtype: F64)),
            "Embedding" => (nn.Sequential(nn.Embedding(7, 3, dtype: F64), nn.Flatten(), nn.Linear(12, ways, dtype: F64)),
                n => randint(0, 7, new long[] { n, 4 })),
            "Residual" => (nn.Sequential(
                new ResidualBlock(nn.Sequential(nn.Conv2d(2, 3, 3, padding: 1, dtype: F64), nn.BatchNorm2d(3, dtype: F64), nn.LeakyReLU(0.1)),
                    nn.Sequential(nn.Conv2d(2, 3, 1, dtype: F64), nn.BatchNorm2d(3, dtype: F64)), nn.MaxPool2d(2)),
                nn.Flatten(), nn.Linear(12, ways, dtype: F64)),
                n => randn(n, 2, 4, 4, dtype: F64)),
            _ => throw new ArgumentException(name),
        };

        var labels = arange(ways, dtype: ScalarType.Int64).repeat(2);
        var episode = new Episode(network.Input(2 * ways), labels, network.Input(2 * ways), labels.clone(), new EpisodeInfo(ways, 2, 2, 0));
        return (network.Module, episode);
    }

    public static IEnumerable<object[]> NetworkNames => new[] { "Dense", "Image", "Sequence", "Embedding", "Residual" }.Select(n => new object[] { n });

    /// <summary>A batch norm whose running statistics and affine parameters are not at their initial values.</summary>
    private static Module WithStatistics(TorchSharp.Modules.BatchNorm norm)
    {
        using var noGrad = no_grad();
        // add_ without an explicit alpha passes TorchSharp's own temporary Scalar 1: hold both.
        using var half = 0.5.ToScalar();
        using var one = 1.0.ToScalar();
        norm.running_mean!.copy_(randn(norm.running_mean.shape, dtype: F64));
        norm.running_var!.copy_(rand(norm.running_var.shape, dtype: F64).add_(half, one));
        norm.weight!.copy_(rand(norm.weight.shape, dtype: F64).add_(half, one));
        norm.bias!.copy_(randn(norm.bias.shape, dtype: F64));
        return norm;
    }

    /// <summary>A norm layer whose affine parameters are not at their initial values.</summary>
    private static Module Perturbed(Module norm)
    {
        using var noGrad = no_grad();
        using var scale = 0.3.ToScalar();
        using var one = 1.0.ToScalar();
        foreach (var p in norm.parameters())
        {
            p.add_(randn(p.shape, dtype: F64).mul_(scale), one);
        }

        return norm;
    }
}
