using System.Buffers.Binary;
using System.IO.Compression;

namespace MetaLearn.Tests.Datasets;

/// <summary>Writes zips of image files and crafts the sizes their central directory declares.</summary>
internal static class ZipFiles
{
    /// <summary>Writes <paramref name="files"/>, stored without compression, to a new zip at <paramref name="path"/>.</summary>
    public static void Write(string path, params (string Name, byte[] Bytes)[] files)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes) in files)
        {
            using var stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
            stream.Write(bytes);
        }
    }

    /// <summary>Rewrites the uncompressed-size field of <paramref name="entry"/>'s central-directory record, which is what ZipArchiveEntry.Length reports.</summary>
    public static void DeclareUncompressedSize(string zip, string entry, uint size)
    {
        byte[] bytes = File.ReadAllBytes(zip);
        byte[] name = System.Text.Encoding.ASCII.GetBytes(entry);
        for (int i = 0; i + 46 <= bytes.Length; i++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i)) == 0x02014b50
                && BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i + 28)) == name.Length
                && bytes.AsSpan(i + 46, name.Length).SequenceEqual(name))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + 24), size);
                File.WriteAllBytes(zip, bytes);
                return;
            }
        }

        throw new InvalidOperationException($"No central-directory record for '{entry}'.");
    }
}
