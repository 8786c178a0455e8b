using StbImageSharp;
using static TorchSharp.torch;

namespace MetaLearn.Datasets;

/// <summary>Decodes image files to one grey channel and turns them into a float32 tensor <c>[N, 1, S, S]</c> in [0, 1].</summary>
internal static class ImageDecoder
{
    private const int ChunkSize = 512;

    /// <summary>Decodes and preprocesses <paramref name="entries"/> in order.</summary>
    /// <returns>A new tensor <c>[N, 1, S, S]</c> the caller owns.</returns>
    public static Tensor Decode(IReadOnlyList<ImageEntry> entries, ImageLoadOptions options)
    {
        var images = new ImageResult[entries.Count];
        Parallel.For(
            0,
            entries.Count,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism },
            i => images[i] = DecodeOne(entries[i]));

        int size = options.ImageSize;
        var result = zeros(entries.Count, 1, size, size, ScalarType.Float32);
        // Batch images of equal size through one resize; chunks bound the memory of the full-resolution copies.
        foreach (var sameSize in Enumerable.Range(0, images.Length).GroupBy(i => (images[i].Width, images[i].Height)))
        {
            foreach (int[] chunk in sameSize.Chunk(ChunkSize))
            {
                using var scope = NewDisposeScope();
                int width = sameSize.Key.Width;
                int height = sameSize.Key.Height;
                // Scaling (and inverting) on the CPU side, in parallel, is much faster than a uint8 -> float cast in torch.
                int area = width * height;
                float[] pixels = new float[chunk.Length * area];
                Parallel.For(
                    0,
                    chunk.Length,
                    new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism },
                    j => ToUnitRange(images[chunk[j]].Data, pixels.AsSpan(j * area, area), options.Invert));

                var processed = Resize(tensor(pixels, new long[] { chunk.Length, 1, height, width }), size);
                result.index_copy_(0, tensor(chunk.Select(i => (long)i).ToArray()), processed);
            }
        }

        return result;
    }

    /// <summary>
    /// Scales grey bytes <c>[B, 1, H, W]</c> (uint8, 0 black .. 255 white) to [0, 1], inverts them if asked, and
    /// resizes them to <c>size x size</c> by area averaging (every output pixel is the mean of the input pixels it covers).
    /// </summary>
    /// <returns>A new float32 tensor <c>[B, 1, size, size]</c> the caller owns.</returns>
    internal static Tensor Preprocess(Tensor greyBytes, int size, bool invert)
    {
        using var scope = NewDisposeScope();
        byte[] bytes = greyBytes.contiguous().data<byte>().ToArray();
        float[] unit = new float[bytes.Length];
        ToUnitRange(bytes, unit, invert);
        return Resize(tensor(unit, greyBytes.shape), size).MoveToOuterDisposeScope();
    }

    /// <summary>Resizes float images <c>[B, 1, H, W]</c> to <c>size x size</c> by area averaging.</summary>
    /// <returns>A new tensor the caller owns.</returns>
    private static Tensor Resize(Tensor images, int size)
    {
        using var scope = NewDisposeScope();
        var resized = nn.functional.interpolate(images, new long[] { size, size }, mode: InterpolationMode.Area);
        return resized.ClampInPlace(0.0, 1.0).MoveToOuterDisposeScope();
    }

    private static void ToUnitRange(ReadOnlySpan<byte> grey, Span<float> unit, bool invert)
    {
        for (int i = 0; i < grey.Length; i++)
        {
            float v = grey[i] / 255f;
            unit[i] = invert ? 1f - v : v;
        }
    }

    private static ImageResult DecodeOne(ImageEntry entry)
    {
        try
        {
            return ImageResult.FromMemory(entry.ReadBytes(), ColorComponents.Grey);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
        {
            throw new ArgumentException($"Cannot decode image '{entry.Path}': {e.Message}", nameof(entry), e);
        }
    }
}
