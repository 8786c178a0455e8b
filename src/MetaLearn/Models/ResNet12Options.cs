namespace MetaLearn.Models;

/// <summary>Options of <see cref="ResNet12"/>.</summary>
public sealed record ResNet12Options
{
    private readonly IReadOnlyList<int> _channels = new[] { 64, 160, 320, 640 };

    /// <summary>Output channels of the four residual blocks.</summary>
    /// <value>Default 64-160-320-640 (MetaOptNet); TADAM uses 64-128-256-512. Four positive values.</value>
    public IReadOnlyList<int> Channels
    {
        get => _channels;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Count != 4 || value.Any(c => c <= 0))
            {
                throw new ArgumentOutOfRangeException(nameof(Channels), $"[{string.Join(", ", value)}]", "ResNet-12 has four blocks: give four positive channel counts (e.g. [64, 160, 320, 640]).");
            }

            _channels = value.ToArray();
        }
    }

    /// <summary>Channels of the input images. <value>Default 3 (colour). At least 1.</value></summary>
    public int InputChannels { get; init => field = OptionChecks.AtLeast(value, 1, nameof(InputChannels), "Images have at least one channel."); } = 3;

    /// <summary>Classes of the linear head on the pooled features; 0 for an embedding network (ProtoNets, MetaOptNet).</summary>
    /// <value>Default 5. Zero or more.</value>
    public int Ways { get; init => field = OptionChecks.AtLeast(value, 0, nameof(Ways), "Use 0 for no head, or the number of classes."); } = 5;

    /// <summary>Negative slope of the leaky ReLUs. <value>Default 0.1 (MetaOptNet).</value></summary>
    public double NegativeSlope { get; init; } = 0.1;

    /// <summary>Seed of the initial weights (drawn from a generator of this seed, not the global one). <value>Default 0.</value></summary>
    public int Seed { get; init; }

    /// <summary>Floating-point type of the parameters. <value>Default float32.</value></summary>
    public ScalarType DType { get; init; } = ScalarType.Float32;
}
