using System.IO.Compression;

namespace MetaLearn.Tests.Datasets;

/// <summary>The vendored Omniglot archives (copied into the test output by the test project) and temp-folder helpers.</summary>
internal static class OmniglotFiles
{
    public static string Small1Zip => Path.Combine(AppContext.BaseDirectory, "data", "omniglot", "images_background_small1.zip");

    public static string Small2Zip => Path.Combine(AppContext.BaseDirectory, "data", "omniglot", "images_background_small2.zip");

    /// <summary>The raw PNG bytes of the first <paramref name="count"/> drawings of a character in the small1 archive.</summary>
    public static byte[][] Drawings(string alphabet, string character, int count)
    {
        using var zip = ZipFile.OpenRead(Small1Zip);
        return zip.Entries
            .Where(e => e.FullName.StartsWith($"images_background_small1/{alphabet}/{character}/", StringComparison.Ordinal) && e.Name.EndsWith(".png", StringComparison.Ordinal))
            .OrderBy(e => e.FullName, StringComparer.Ordinal)
            .Take(count)
            .Select(e =>
            {
                using var s = e.Open();
                using var m = new MemoryStream();
                s.CopyTo(m);
                return m.ToArray();
            })
            .ToArray();
    }
}

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "metalearn-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string relativePath, byte[] bytes)
    {
        string full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes);
        return full;
    }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
