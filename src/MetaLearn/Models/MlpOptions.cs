namespace MetaLearn.Models;

/// <summary>Options of <see cref="Mlp"/>.</summary>
public sealed record MlpOptions
{
    private readonly IReadOnlyList<int> _layerSizes = new[] { 1, 40, 40, 1 };

    /// <summary>Sizes of every layer, input first, output last.</summary>
    /// <value>Default 1-40-40-1 (the sinusoid network of Finn et al.). At least two sizes, all positive.</value>
    public IReadOnlyList<int> LayerSizes
    {
        get => _layerSizes;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Count < 2 || value.Any(s => s <= 0))
            {
                throw new ArgumentOutOfRangeException(nameof(LayerSizes), $"[{string.Join(", ", value)}]",
                    "An MLP needs at least an input and an output size, all positive (e.g. [1, 40, 40, 1]).");
            }

            _layerSizes = value.ToArray();
        }
    }

    /// <summary>Seed of the initialisation. <value>Default 0.</value></summary>
    public int Seed { get; init; }

    /// <summary>Device of the parameters. <value>Default null: the CPU.</value></summary>
    public Device? Device { get; init; }

    /// <summary>Floating-point type of the parameters. <value>Default float32.</value></summary>
    public ScalarType DType { get; init; } = ScalarType.Float32;

    /// <summary>Creates options with the given layer sizes.</summary>
    public static MlpOptions WithLayers(params int[] sizes) => new() { LayerSizes = sizes };
}
