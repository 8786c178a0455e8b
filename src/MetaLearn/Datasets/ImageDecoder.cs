using StbImageSharp;

namespace MetaLearn.Datasets;

/// <summary>Decodes image files to one grey channel and turns them into a float32 tensor <c>[N, 1, S, S]</c> in [0, 1].</summary>
internal static class ImageDecoder
{
    private const int ChunkSize = 512;

    /// <summary>At most this many full-resolution pixels (floats) go through one resize.</summary>
    private const int ChunkPixels = 1 << 24;

    /// <summary>
    /// Decodes and preprocesses <paramref name="entries"/> in order, within <paramref name="limits"/>: every file's
    /// length and every image's dimensions (read from its header) are checked before any image is decoded, and images
    /// are decoded a chunk at a time, so only one chunk of full-resolution pixels is held at once.
    /// </summary>
    /// <returns>A new tensor <c>[N, 1, S, S]</c> the caller owns.</returns>
    /// <exception cref="ArgumentException">
    /// An image cannot be read or decoded (the message names the file, or the zip and the entry), a file or an image is
    /// larger than <paramref name="limits"/> allow, or the result is too large to allocate.
    /// </exception>
    public static Tensor Decode(IReadOnlyList<ImageEntry> entries, ImageLoadOptions options, InputLimits limits) => Decode(entries, options, limits, Resize);

    /// <summary>
    /// <see cref="Decode(IReadOnlyList{ImageEntry}, ImageLoadOptions, InputLimits)"/> with the resize step given, so that
    /// tests can make it fail and check that nothing is left allocated.
    /// </summary>
    internal static Tensor Decode(IReadOnlyList<ImageEntry> entries, ImageLoadOptions options, InputLimits limits, Func<Tensor, int, Tensor> resize)
    {
        int size = options.ImageSize;
        AllocationSize.Elements(
            "The decoded images", sizeof(float), false, "lower ImageLoadOptions.ImageSize or load fewer images.",
            ("images", entries.Count), ("ImageSize", size), ("ImageSize", size));
        var dimensions = ImageHeaders.Read(entries, options, limits);
        var result = zeros(entries.Count, 1, size, size, ScalarType.Float32);
        try
        {
            // Batch images of equal size through one resize; chunks bound the memory of the full-resolution pixels.
            foreach (var sameSize in Enumerable.Range(0, entries.Count).GroupBy(i => dimensions[i]))
            {
                int width = sameSize.Key.Width;
                int height = sameSize.Key.Height;
                int area = width * height;
                foreach (int[] chunk in sameSize.Chunk(Math.Clamp(ChunkPixels / area, 1, ChunkSize)))
                {
                    var images = DecodeChunk(entries, chunk, dimensions, options);
                    using var scope = NewDisposeScope();
                    // Scaling (and inverting) on the CPU side, in parallel, is much faster than a uint8 -> float cast in torch.
                    float[] pixels = new float[chunk.Length * area];
                    Parallel.For(
                        0,
                        chunk.Length,
                        new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism },
                        j => ToUnitRange(images[j].Data, pixels.AsSpan(j * area, area), options.Invert));

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
    /// Decodes the entries <paramref name="chunk"/> names (in parallel); when some fail, throws one
    /// <see cref="ArgumentException"/> for the first failing entry in order, so the same input always names the same file.
    /// </summary>
    private static ImageResult[] DecodeChunk(IReadOnlyList<ImageEntry> entries, int[] chunk, (int Width, int Height)[] dimensions, ImageLoadOptions options)
    {
        var images = new ImageResult[chunk.Length];
        var failures = new Exception?[chunk.Length];
        Parallel.For(
            0,
            chunk.Length,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism },
            j =>
            {
                var entry = entries[chunk[j]];
                try
                {
                    using var stream = entry.Open();
                    var image = ImageResult.FromStream(stream, ColorComponents.Grey);
                    images[j] = (image.Width, image.Height) == dimensions[chunk[j]]
                        ? image
                        : throw new InvalidDataException(
                            $"it decoded to {image.Width} x {image.Height} pixels where its header, read before, said {dimensions[chunk[j]].Width} x {dimensions[chunk[j]].Height} (it changed meanwhile)");
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // StbImageSharp reports bad data with InvalidOperationException, but a corrupt file can also surface
                    // as an index or overflow error inside the decoder; reading a file can fail with an IO error.
                    failures[j] = e;
                }
            });

        ImageHeaders.ThrowFirstFailure(entries, chunk, failures);
        return images;
    }
}
