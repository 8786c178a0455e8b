using StbImageSharp;

namespace MetaLearn.Datasets;

/// <summary>
/// Reads every image's dimensions from its header, before anything is decoded, and checks files and images against
/// <see cref="InputLimits"/>: the decoder allocates what a header declares, so a crafted header is refused here.
/// </summary>
internal static class ImageHeaders
{
    /// <summary>
    /// Checks each entry's length against <see cref="InputLimits.MaxImageFileBytes"/>, reads its header (in parallel), and
    /// checks the declared pixels against <see cref="InputLimits.MaxImagePixels"/>.
    /// </summary>
    /// <returns>Each entry's width and height.</returns>
    /// <exception cref="ArgumentException">
    /// A file or an image is larger than the limits allow, or a header cannot be read (for the first such entry in order).
    /// </exception>
    public static (int Width, int Height)[] Read(IReadOnlyList<ImageEntry> entries, ImageLoadOptions options, InputLimits limits)
    {
        foreach (var entry in entries)
        {
            Refuse(InputBudget.Exceeds(
                $"Image {entry.Origin}", $"is {InputBudget.Figure(entry.Length)} bytes", entry.Length,
                limits.MaxImageFileBytes, nameof(InputLimits.MaxImageFileBytes), "bytes", ZipBudget.Usage));
        }

        var dimensions = new (int Width, int Height)[entries.Count];
        var failures = new Exception?[entries.Count];
        Parallel.For(
            0,
            entries.Count,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism },
            i =>
            {
                try
                {
                    using var stream = entries[i].Open();
                    var info = ImageInfo.FromStream(stream)
                        ?? throw new InvalidOperationException("unknown image type: no PNG, JPEG, BMP, GIF or TGA header");
                    dimensions[i] = (info.Width, info.Height);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    failures[i] = e;
                }
            });

        ThrowFirstFailure(entries, Enumerable.Range(0, entries.Count).ToArray(), failures);
        for (int i = 0; i < entries.Count; i++)
        {
            var (width, height) = dimensions[i];
            long pixels = (long)width * height;
            Refuse(InputBudget.Exceeds(
                $"Image {entries[i].Origin}", $"declares {InputBudget.Figure(width)} x {InputBudget.Figure(height)} = {InputBudget.Figure(pixels)} pixels in its header",
                pixels, limits.MaxImagePixels, nameof(InputLimits.MaxImagePixels), "pixels", ZipBudget.Usage));
            AllocationSize.Elements(
                $"Image {entries[i].Origin}", sizeof(float), true, "shrink the image file or leave it out.",
                ("width", width), ("height", height));
        }

        return dimensions;
    }

    /// <summary>
    /// Throws one <see cref="ArgumentException"/> for the first failure in order (of <paramref name="indices"/>, entries
    /// whose failures are in <paramref name="failures"/>), so the same input always names the same file; does nothing
    /// when none failed.
    /// </summary>
    public static void ThrowFirstFailure(IReadOnlyList<ImageEntry> entries, int[] indices, Exception?[] failures)
    {
        int first = Array.FindIndex(failures, f => f is not null);
        if (first < 0)
        {
            return;
        }

        int count = failures.Count(f => f is not null);
        string others = count > 1 ? $" ({count - 1} other image(s) failed too)" : string.Empty;
        throw new ArgumentException(
            $"Cannot read or decode image {entries[indices[first]].Origin}: {failures[first]!.Message}{others}. " +
            "Replace or remove the file; MetaLearn reads .png, .jpg, .bmp, .gif and .tga images.",
            nameof(entries),
            failures[first]);
    }

    private static void Refuse(string? message)
    {
        if (message is not null)
        {
            throw new ArgumentException(message, "path");
        }
    }
}
