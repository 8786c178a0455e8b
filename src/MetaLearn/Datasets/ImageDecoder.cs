using StbImageSharp;

namespace MetaLearn.Datasets;

/// <summary>Decodes image files to one grey channel and turns them into a float32 tensor <c>[N, 1, S, S]</c> in [0, 1].</summary>
internal static class ImageDecoder
{
    private const int ChunkSize = 512;

    /// <summary>At most this many full-resolution pixels (floats) go through one resize.</summary>
    private const int ChunkPixels = 1 << 24;

    /// <summary>Decodes and preprocesses <paramref name="entries"/> in order.</summary>
    /// <returns>A new tensor <c>[N, 1, S, S]</c> the caller owns.</returns>
    /// <exception cref="ArgumentException">
    /// An image cannot be read or decoded (the message names the file, or the zip and the entry), or the images or the
    /// result are too large to allocate.
    /// </exception>
    public static Tensor Decode(IReadOnlyList<ImageEntry> entries, ImageLoadOptions options) => Decode(entries, options, Resize);

    /// <summary>
    /// <see cref="Decode(IReadOnlyList{ImageEntry}, ImageLoadOptions)"/> with the resize step given, so that tests can
    /// make it fail and check that nothing is left allocated.
    /// </summary>
    internal static Tensor Decode(IReadOnlyList<ImageEntry> entries, ImageLoadOptions options, Func<Tensor, int, Tensor> resize)
    {
        int size = options.ImageSize;
        AllocationSize.Elements(
            "The decoded images", sizeof(float), false, "lower ImageLoadOptions.ImageSize or load fewer images.",
            ("images", entries.Count), ("ImageSize", size), ("ImageSize", size));
        var images = DecodeAll(entries, options);
        for (int i = 0; i < images.Length; i++)
        {
            AllocationSize.Elements(
                $"Image {entries[i].Origin}", sizeof(float), true, "shrink the image file or leave it out.",
                ("width", images[i].Width), ("height", images[i].Height));
        }

        var result = zeros(entries.Count, 1, size, size, ScalarType.Float32);
        try
        {
            // Batch images of equal size through one resize; chunks bound the memory of the full-resolution copies.
            foreach (var sameSize in Enumerable.Range(0, images.Length).GroupBy(i => (images[i].Width, images[i].Height)))
            {
                int width = sameSize.Key.Width;
                int height = sameSize.Key.Height;
                int area = width * height;
                foreach (int[] chunk in sameSize.Chunk(Math.Clamp(ChunkPixels / area, 1, ChunkSize)))
                {
                    using var scope = NewDisposeScope();
                    // Scaling (and inverting) on the CPU side, in parallel, is much faster than a uint8 -> float cast in torch.
                    float[] pixels = new float[chunk.Length * area];
                    Parallel.For(
                        0,
                        chunk.Length,
                        new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism },
                        j => ToUnitRange(images[chunk[j]].Data, pixels.AsSpan(j * area, area), options.Invert));

                    var processed = resize(tensor(pixels, new long[] { chunk.Length, 1, height, width }), size);
                    result.index_copy_(0, tensor(chunk.Select(i => (long)i).ToArray()), processed);
                }
            }
        }
        catch
        {
            result.Dispose();
            throw;
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

    /// <summary>
    /// Decodes every entry (in parallel); when some fail, throws one <see cref="ArgumentException"/> for the first
    /// failing entry in order, so the same input always names the same file.
    /// </summary>
    private static ImageResult[] DecodeAll(IReadOnlyList<ImageEntry> entries, ImageLoadOptions options)
    {
        var images = new ImageResult[entries.Count];
        var failures = new Exception?[entries.Count];
        Parallel.For(
            0,
            entries.Count,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism },
            i =>
            {
                try
                {
                    images[i] = ImageResult.FromMemory(entries[i].ReadBytes(), ColorComponents.Grey);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // StbImageSharp reports bad data with InvalidOperationException, but a corrupt file can also surface
                    // as an index or overflow error inside the decoder; reading a file can fail with an IO error.
                    failures[i] = e;
                }
            });

        int first = Array.FindIndex(failures, f => f is not null);
        if (first >= 0)
        {
            int count = failures.Count(f => f is not null);
            string others = count > 1 ? $" ({count - 1} other image(s) failed too)" : string.Empty;
            throw new ArgumentException(
                $"Cannot read or decode image {entries[first].Origin}: {failures[first]!.Message}{others}. " +
                "Replace or remove the file; MetaLearn reads .png, .jpg, .bmp, .gif and .tga images.",
                nameof(entries),
                failures[first]);
        }

        return images;
    }
}
