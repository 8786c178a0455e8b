using MetaLearn.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Tests.Models;

/// <summary>
/// A small image network whose forward is code, as users write them (a residual sum), which
/// <see cref="FunctionalModel.FromModule"/> does not convert: convolution, batch norm (running statistics), ReLU, a
/// residual convolution and batch norm, dropout, global average pooling. It counts its forward calls. Its values are
/// drawn from a seeded generator, so they do not depend on TorchSharp's global generator.
/// </summary>
internal sealed class ResidualNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Dropout drop;
    private int _calls;

    public ResidualNet(int channels = 6, double dropout = 0.2, long seed = 1, ScalarType dtype = ScalarType.Float64)
        : base(nameof(ResidualNet))
    {
        conv1 = nn.Conv2d(1, channels, 3, padding: 1, dtype: dtype);
        bn1 = nn.BatchNorm2d(channels, dtype: dtype);
        conv2 = nn.Conv2d(channels, channels, 3, padding: 1, dtype: dtype);
        bn2 = nn.BatchNorm2d(channels, dtype: dtype);
        drop = nn.Dropout(dropout);
        RegisterComponents();
        using var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (name, p) in named_parameters())
        {
            var values = name.StartsWith("bn", StringComparison.Ordinal) && name.EndsWith("weight", StringComparison.Ordinal)
                ? empty(p.shape, dtype: ScalarType.Float64).uniform_(0.5, 1.5, generator: generator)
                : empty(p.shape, dtype: ScalarType.Float64).uniform_(-0.4, 0.4, generator: generator);
            p.copy_(values);
        }
    }

    /// <summary>How many times <see cref="forward"/> ran.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The features per example: the channel count.</summary>
    public static int Features(int channels = 6) => channels;

    public override Tensor forward(Tensor input)
    {
        Interlocked.Increment(ref _calls);
        using var scope = NewDisposeScope();
        var h = F.relu(bn1.forward(conv1.forward(input)));
        h = F.relu(h.Plus(bn2.forward(conv2.forward(h))));
        return F.adaptive_avg_pool2d(drop.forward(h), 1).flatten(1).MoveToOuterDisposeScope();
    }
}
