using System.Globalization;

namespace MetaLearn;

/// <summary>
/// Checks, before anything is allocated, that a buffer of a requested size can exist: its element count must not
/// overflow, must fit in one .NET array when the data passes through one, and its bytes must not exceed the memory
/// the process may use. Bad sizes then fail with an <see cref="ArgumentException"/> naming the factors, not with an
/// <see cref="OverflowException"/>, an <see cref="OutOfMemoryException"/> or a crash in libtorch.
/// </summary>
internal static class AllocationSize
{
    /// <summary>Returns the product of <paramref name="factors"/>, or throws when that many elements cannot be allocated.</summary>
    /// <param name="what">What is allocated, for the message (e.g. "make_classification's feature matrix").</param>
    /// <param name="bytesPerElement">Bytes per element (8 for double, 4 for float).</param>
    /// <param name="managedArray">Whether the elements pass through one .NET array (limited to <see cref="Array.MaxLength"/>).</param>
    /// <param name="advice">What to change, for the message.</param>
    /// <param name="factors">The named sizes whose product is the element count.</param>
    /// <exception cref="ArgumentException">The product overflows, exceeds one array, or exceeds the available memory.</exception>
    public static long Elements(string what, int bytesPerElement, bool managedArray, string advice, params (string Name, long Value)[] factors)
    {
        Int128 product = 1;
        foreach (var (_, value) in factors)
        {
            product *= value;
        }

        Int128 bytes = product * bytesPerElement;
        long available = AvailableBytes();
        string reason = managedArray && product > Array.MaxLength
            ? $"more than the {Array.MaxLength.ToString("N0", CultureInfo.InvariantCulture)} elements one .NET array can hold"
            : available > 0 && bytes > available
                ? $"more than the {Gigabytes(available)} this process may use"
                : product > long.MaxValue / 16
                    ? "more than can be addressed"
                    : string.Empty;
        if (reason.Length > 0)
        {
            string terms = string.Join(" * ", factors.Select(f => $"{f.Name} ({f.Value.ToString(CultureInfo.InvariantCulture)})"));
            throw new ArgumentException(
                $"{what} would need {terms} = {product.ToString("N0", CultureInfo.InvariantCulture)} values ({Gigabytes(bytes)}), {reason}: {advice}");
        }

        return (long)product;
    }

    /// <summary>Checks that one episode of <paramref name="ways"/> x (shots + queries) rows of <paramref name="features"/> floats can be allocated.</summary>
    /// <exception cref="ArgumentException">It cannot.</exception>
    public static void Episode(string sampler, long ways, int shots, int queries, long features) =>
        Elements(
            $"An episode of the {sampler} sampler", sizeof(float), true, "lower Ways, Shots, Queries or the number of features.",
            ("Ways", ways), ("Shots + Queries", (long)shots + queries), ("features", features));

    /// <summary>The bytes of the parameters and buffers an <see cref="Mlp"/> with <paramref name="options"/> allocates, computed without building it.</summary>
    public static Int128 ModelBytes(MlpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Int128 elements = 0;
        for (int i = 0; i + 1 < options.LayerSizes.Count; i++)
        {
            // A weight [out, in] and a bias [out].
            elements += (Int128)options.LayerSizes[i + 1] * ((Int128)options.LayerSizes[i] + 1);
        }

        return elements * ElementBytes(options.DType);
    }

    /// <summary>The bytes of the parameters and buffers a <see cref="Conv4"/> with <paramref name="options"/> allocates, computed without building it.</summary>
    public static Int128 ModelBytes(Conv4Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Int128 channels = options.Channels;

        // Per block: a scale and a shift per batch-norm set, and, when statistics are kept, a running mean, a running
        // variance and a batch count per set.
        bool statistics = options.BatchNormStatistics == BatchNormStatistics.Running;
        Int128 norm = options.BatchNormSets * ((2 * channels) + (statistics ? (2 * channels) + 1 : 0));
        Int128 first = (channels * options.InputChannels * 9) + channels + norm;
        Int128 later = (channels * channels * 9) + channels + norm;
        Int128 elements = first + ((options.Blocks - 1) * later);

        // Every block halves the side; the head maps the flattened features to the ways.
        long side = options.Blocks >= 31 ? 0 : options.ImageSize >> options.Blocks;
        elements += options.Ways * ((channels * side * side) + 1);
        return elements * ElementBytes(options.DType);
    }

    /// <summary>Bytes per element of <paramref name="dtype"/> (16, the most any type takes, for types without a fixed size here).</summary>
    public static int ElementBytes(ScalarType dtype) => dtype switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        _ => 16,
    };

    private static long AvailableBytes()
    {
        long total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return total > 0 ? total : 0;
    }

    private static string Gigabytes(Int128 bytes) =>
        ((double)bytes / (1L << 30)).ToString("0.##", CultureInfo.InvariantCulture) + " GB";
}
