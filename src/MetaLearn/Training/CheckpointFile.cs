using System.Security.Cryptography;
using System.Text;

namespace MetaLearn.Training;

/// <summary>
/// The envelope of a checkpoint file: a marker, the format version, the payload's length, the SHA-256 of the payload,
/// the payload, and the marker again. Written through <see cref="AtomicFile"/>, so the file at the path is always the
/// previous or the new checkpoint, never a mix; read back only after the
/// checksum matched, so a byte changed anywhere is refused before anything is restored.
/// </summary>
internal static class CheckpointFile
{
    /// <summary>
    /// The version this MetaLearn writes and reads. Version 1 (no checksum, no episode-stream record) and version 2 (no
    /// generator states, no buffer names, no buffers of fusion models) are refused.
    /// </summary>
    public const int Version = 3;

    private const string Marker = "METALEARN-CHECKPOINT";
    private const int HashLength = 32;

    /// <summary>Writes <paramref name="payload"/> in its envelope to <paramref name="path"/> through <see cref="AtomicFile"/>.</summary>
    public static void Write(string path, byte[] payload) => AtomicFile.Write(path, stream =>
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Marker);
        writer.Write(Version);
        writer.Write((long)payload.Length);
        writer.Write(SHA256.HashData(payload));
        writer.Write(payload);
        writer.Write(Marker);
    });

    /// <summary>Reads the file and returns its payload once the envelope and the checksum are verified.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is larger than <see cref="InputLimits.MaxFileBytes"/> (refused before it is read), not a version-3
    /// checkpoint, truncated, or its checksum does not match.
    /// </exception>
    public static byte[] ReadPayload(string path, InputLimits limits)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No checkpoint at '{path}'.", path);
        }

        byte[] bytes = InputBudget.ReadFile(path, "a checkpoint", limits.MaxFileBytes, nameof(InputLimits.MaxFileBytes), "pass trainer.LoadCheckpoint(path, limits)", m => new InvalidDataException(m));
        using var stream = new MemoryStream(bytes, writable: false);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            if (reader.ReadString() != Marker)
            {
                throw new InvalidDataException($"'{path}' is not a MetaLearn checkpoint (it does not start with the checkpoint marker), or its first bytes are corrupted.");
            }

            int version = reader.ReadInt32();
            if (version == 1)
            {
                throw new InvalidDataException(
                    $"'{path}' is a version-1 checkpoint, an older format without a checksum or a record of the episode stream, which this MetaLearn " +
                    $"no longer reads (it reads version {Version}). Resume it with the MetaLearn release that wrote it, or start the training again.");
            }

            if (version == 2)
            {
                throw new InvalidDataException(
                    $"'{path}' is a version-2 checkpoint, an older format without the model's dropout generator states or its buffer names (and without a " +
                    $"fusion model's buffers), so it would not resume exactly; this MetaLearn reads version {Version}. Resume it with the MetaLearn " +
                    "release that wrote it, or start the training again.");
            }

            if (version != Version)
            {
                throw new InvalidDataException($"'{path}' says it is a version-{version} checkpoint; this MetaLearn reads version {Version}. The file is corrupted or was written by another release.");
            }

            long length = reader.ReadInt64();
            long room = stream.Length - stream.Position - HashLength;
            if (length < 0 || length > room)
            {
                throw new InvalidDataException($"'{path}' announces a {length}-byte payload but holds {Math.Max(room, 0)} bytes after the header; it is truncated or corrupted.");
            }

            byte[] hash = reader.ReadBytes(HashLength);
            byte[] payload = reader.ReadBytes((int)length);
            if (!SHA256.HashData(payload).AsSpan().SequenceEqual(hash))
            {
                throw new InvalidDataException($"'{path}' is corrupted: the SHA-256 of its content does not match the one it was written with. Nothing was restored; use an earlier checkpoint.");
            }

            if (reader.ReadString() != Marker || stream.Position != stream.Length)
            {
                throw new InvalidDataException($"'{path}' does not end like a MetaLearn checkpoint; it is truncated, corrupted, or has bytes appended.");
            }

            return payload;
        }
        catch (Exception ex) when (ex is EndOfStreamException or FormatException)
        {
            throw new InvalidDataException($"'{path}' ends early or its header is corrupted; it is truncated or not a MetaLearn checkpoint.", ex);
        }
    }
}
