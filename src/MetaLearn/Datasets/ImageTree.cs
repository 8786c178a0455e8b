using System.Globalization;
using System.IO.Compression;

namespace MetaLearn.Datasets;

/// <summary>
/// One image file of a tree: its folder path (below the root, as segments), file name, its length in bytes, a way to
/// open it, and where it comes from for error messages (the file's full path, or the zip and the entry's full name).
/// </summary>
internal sealed record ImageEntry(IReadOnlyList<string> Folders, string FileName, long Length, Func<Stream> Open, string Origin)
{
    public string Path => string.Join('/', Folders.Append(FileName));

    /// <summary>An image file on disk.</summary>
    public static ImageEntry OfFile(IReadOnlyList<string> folders, string fileName, string fullPath) =>
        new(folders, fileName, new FileInfo(fullPath).Length, () => File.OpenRead(fullPath), $"'{fullPath}'");
}

/// <summary>Lists the image files of a folder tree or a zip archive, in ordinal path order.</summary>
internal static class ImageTree
{
    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga"];

    /// <summary>
    /// Lists the images under <paramref name="path"/>, a folder or a <c>.zip</c> file. A zip's image entries are read
    /// now (zip entries cannot be read from several threads), within <paramref name="limits"/>.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The path is neither a folder nor a file, the zip is not readable, or its entries are larger than
    /// <paramref name="limits"/> allow.
    /// </exception>
    public static IReadOnlyList<ImageEntry> List(string path, InputLimits limits)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path))
        {
            return ListFolder(path);
        }

        if (File.Exists(path))
        {
            return ListZip(path, limits);
        }

        throw new ArgumentException($"'{path}' is neither a folder nor a file; give an image folder or a zip of one.", nameof(path));
    }

    /// <summary>
    /// Removes wrapping folders that every entry shares (a zip of <c>images_background/</c>, say), as long as
    /// more than <paramref name="depth"/> folder levels remain, then checks every entry has exactly
    /// <paramref name="depth"/> folders.
    /// </summary>
    public static IReadOnlyList<ImageEntry> StripToDepth(IReadOnlyList<ImageEntry> entries, int depth, string source, string layout)
    {
        var current = entries;
        while (current.Count > 0
            && current.All(e => e.Folders.Count > depth)
            && current.Select(e => e.Folders[0]).Distinct(StringComparer.Ordinal).Count() == 1)
        {
            current = current.Select(e => e with { Folders = e.Folders.Skip(1).ToArray() }).ToArray();
        }

        var wrong = current.FirstOrDefault(e => e.Folders.Count != depth);
        if (wrong is not null)
        {
            throw new ArgumentException(
                $"'{source}' does not have the layout {layout}: '{wrong.Path}' sits {wrong.Folders.Count} folder(s) deep, expected {depth}.",
                nameof(source));
        }

        return current;
    }

    private static IReadOnlyList<ImageEntry> ListFolder(string root)
    {
        string full = System.IO.Path.GetFullPath(root);
        return Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
            .Select(f => System.IO.Path.GetRelativePath(full, f).Replace('\\', '/'))
            .Where(IsImage)
            .Order(StringComparer.Ordinal)
            .Select(rel =>
            {
                string[] parts = rel.Split('/', StringSplitOptions.RemoveEmptyEntries);
                return ImageEntry.OfFile(parts[..^1], parts[^1], System.IO.Path.Combine(full, rel));
            })
            .ToArray();
    }

    private static IReadOnlyList<ImageEntry> ListZip(string zipPath, InputLimits limits)
    {
        try
        {
            using var zip = ZipFile.OpenRead(zipPath);
            var images = zip.Entries
                .Where(e => IsImage(e.FullName.Replace('\\', '/')))
                .OrderBy(e => e.FullName, StringComparer.Ordinal)
                .ToArray();

            // Every declared size, and their sum, before any entry is read.
            foreach (var entry in images)
            {
                CheckEntrySize(zipPath, entry.FullName, entry.Length, limits);
            }

            ZipBudget.CheckTotal(zipPath, images.Aggregate(Int128.Zero, (sum, e) => sum + e.Length), images.Length, limits);
            var entries = new List<ImageEntry>();
            foreach (var entry in images)
            {
                using var stream = entry.Open();
                byte[] bytes = ZipBudget.ReadEntry(stream, entry.Length, $"Entry '{entry.FullName}' of zip '{zipPath}'");
                string rel = entry.FullName.Replace('\\', '/');
                entries.Add(ToEntry(rel, bytes, $"entry '{entry.FullName}' of zip '{zipPath}'"));
            }

            return entries;
        }
        catch (InvalidDataException e)
        {
            throw new ArgumentException($"'{zipPath}' is not a readable zip archive ({e.Message}).", nameof(zipPath), e);
        }
    }

    /// <summary>
    /// Refuses a zip entry whose declared (uncompressed) size exceeds <see cref="InputLimits.MaxImageFileBytes"/> or does
    /// not fit in one byte array, before anything is read.
    /// </summary>
    /// <exception cref="ArgumentException">The entry declares too many bytes.</exception>
    internal static void CheckEntrySize(string zipPath, string entryName, long length, InputLimits limits)
    {
        ZipBudget.CheckEntry(zipPath, entryName, length, limits);
        if (length > Array.MaxLength)
        {
            throw new ArgumentException(
                $"Entry '{entryName}' of zip '{zipPath}' declares {length.ToString("N0", CultureInfo.InvariantCulture)} bytes, more than one image file may have " +
                $"({Array.MaxLength.ToString("N0", CultureInfo.InvariantCulture)} bytes, 2 GB): remove it from the archive or replace it with a smaller image.",
                nameof(zipPath));
        }
    }

    private static bool IsImage(string relativePath)
    {
        string[] parts = relativePath.Split('/');
        if (parts.Any(p => p.StartsWith('.') || p == "__MACOSX"))
        {
            return false;
        }

        string ext = System.IO.Path.GetExtension(relativePath);
        return ImageExtensions.Contains(ext, StringComparer.OrdinalIgnoreCase);
    }

    private static ImageEntry ToEntry(string relativePath, byte[] bytes, string origin)
    {
        string[] parts = relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return new ImageEntry(parts[..^1], parts[^1], bytes.Length, () => new MemoryStream(bytes, writable: false), origin);
    }
}
