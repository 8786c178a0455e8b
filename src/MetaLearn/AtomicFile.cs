namespace MetaLearn;

/// <summary>
/// Writes a file so that the path always holds the previous content or the new one, never a mix: the content goes to a
/// temporary file beside the target (<c>.name.tmp</c>, so the rename stays on one file system), is flushed to disk and
/// renamed over the target. The temporary name is fixed, so a process killed mid-write leaves at most one stale
/// temporary file, which the next write to the same path replaces; a write that fails removes its temporary file.
/// Checkpoints, learner files and PyTorch weight files are written this way.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes what <paramref name="write"/> puts in the stream it is given to <paramref name="path"/>, atomically.</summary>
    /// <param name="path">The target; its folder is created if needed.</param>
    /// <param name="write">Writes the whole content; it must not close the stream.</param>
    /// <exception cref="IOException">
    /// The temporary file cannot be opened (e.g. another write to the same path is in progress), or writing fails; the
    /// target is unchanged.
    /// </exception>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        string temporary = TemporaryPath(full);

        // Opened before the try: a write that cannot open it (another save holds it) must not delete the other's file.
        var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None);
        bool moved = false;
        try
        {
            using (stream)
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
            moved = true;
        }
        finally
        {
            if (!moved)
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>The temporary file a write to <paramref name="fullPath"/> goes through.</summary>
    internal static string TemporaryPath(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.tmp");
}
