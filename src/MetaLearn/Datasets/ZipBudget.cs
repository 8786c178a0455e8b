using System.Buffers;

namespace MetaLearn.Datasets;

/// <summary>
/// The <see cref="InputLimits"/> of a zip of images: each entry's declared size and their sum are checked before any
/// entry is read, and an entry is read without trusting its declared size: no buffer of that size is made up front,
/// and reading stops as soon as the entry holds more than it declared.
/// </summary>
internal static class ZipBudget
{
    internal const string Usage = "pass limits to LabeledDataset.FromOmniglot, LabeledDataset.FromImageFolder or OneShotRuns.Load";

    private const int ChunkBytes = 81920;

    /// <summary>Refuses an entry that declares more than <see cref="InputLimits.MaxImageFileBytes"/>.</summary>
    /// <exception cref="ArgumentException">It does.</exception>
    public static void CheckEntry(string zipPath, string entryName, long declared, InputLimits limits)
    {
        if (InputBudget.Exceeds(
            $"Entry '{entryName}' of zip '{zipPath}'", $"declares {InputBudget.Figure(declared)} bytes", declared,
            limits.MaxImageFileBytes, nameof(InputLimits.MaxImageFileBytes), "bytes", Usage) is { } message)
        {
            throw new ArgumentException(message, nameof(zipPath));
        }
    }

    /// <summary>Refuses a zip whose image entries declare more than <see cref="InputLimits.MaxZipBytes"/> in all.</summary>
    /// <exception cref="ArgumentException">They do.</exception>
    public static void CheckTotal(string zipPath, Int128 declared, int entries, InputLimits limits)
    {
        if (InputBudget.Exceeds(
            $"Zip '{zipPath}'", $"declares {InputBudget.Figure(declared)} bytes in its {InputBudget.Figure(entries)} image entries", declared,
            limits.MaxZipBytes, nameof(InputLimits.MaxZipBytes), "bytes", Usage) is { } message)
        {
            throw new ArgumentException(message, nameof(zipPath));
        }
    }

    /// <summary>
    /// Reads an entry that declares <paramref name="declared"/> bytes a chunk at a time, never reading more than
    /// <paramref name="declared"/> plus one byte (the byte that shows the entry lied).
    /// </summary>
    /// <param name="stream">The entry's decompressed content.</param>
    /// <param name="declared">The size the entry declares (already within the limits).</param>
    /// <param name="what">The entry and its zip, for the message.</param>
    /// <returns>The entry's bytes.</returns>
    /// <exception cref="ArgumentException">The entry holds more bytes than it declares.</exception>
    public static byte[] ReadEntry(Stream stream, long declared, string what)
    {
        using var buffer = new MemoryStream();
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int read;
            while ((read = stream.Read(chunk, 0, (int)Math.Min(ChunkBytes, declared + 1 - buffer.Length))) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > declared)
                {
                    throw new ArgumentException(
                        $"{what} holds more than the {InputBudget.Figure(declared)} bytes it declares; reading stopped there. The archive is corrupted or crafted: " +
                        "replace it with an intact copy.",
                        nameof(stream));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }
}
