using System.Collections;
using System.IO.Compression;
using System.Reflection;
using Razorvine.Pickle;
using TorchSharp.PyBridge;

namespace MetaLearn.Models;

/// <summary>
/// A PyTorch state dict file (<c>torch.save(model.state_dict(), path)</c>: a zip holding a pickle, <c>data.pkl</c>, and
/// one entry per tensor storage) read as far as its tensors' descriptions: names, dtypes, shapes, strides and entries.
/// No tensor is allocated here; <see cref="ReadInto"/> reads one storage into a tensor the caller sized.
/// </summary>
/// <remarks>
/// The file is read whole into memory after its length is checked against <see cref="InputLimits.MaxFileBytes"/>, so
/// every pass sees the same bytes. The pickle is checked by <see cref="PickleScan"/> (declared lengths, opcodes, the
/// unpickler's estimated allocation, also held to <see cref="InputLimits.MaxFileBytes"/>) and then unpickled by
/// TorchSharp.PyBridge's <see cref="PyTorchUnpickler"/> with <c>skipTensorRead</c>, which describes each tensor without
/// allocating it. PyBridge keeps those descriptions in a type of its own that it does not make public; they are read by
/// reflection, and a change of that type fails with a message saying so.
/// </remarks>
internal sealed class StateDictFile : IDisposable
{
    private const string Usage = "pass PyTorchWeights.Load(target, path, limits: ...)";
    private const string DescriptionType = "TorchSharp.PyBridge.PyTorchUnpickler+TensorConstructorArgs";
    private const int ReadChunkBytes = 81920;

    private readonly ZipArchive _archive;
    private readonly string _what;

    private StateDictFile(string path, string what, ZipArchive archive, IReadOnlyList<StoredTensor> tensors)
    {
        Path = path;
        _what = what;
        _archive = archive;
        Tensors = tensors;
    }

    /// <summary>The file, as given.</summary>
    public string Path { get; }

    /// <summary>The tensors the state dict holds, by name in ordinal order (PyBridge's dictionary does not keep the file's order).</summary>
    public IReadOnlyList<StoredTensor> Tensors { get; }

    /// <summary>Reads the descriptions of the tensors in the state dict at <paramref name="path"/>.</summary>
    /// <returns>The file, which the caller disposes (it holds the file's bytes until then).</returns>
    /// <exception cref="InvalidDataException">The file exceeds the limits or is not a state dict this reader reads.</exception>
    public static StateDictFile Open(string path, InputLimits limits)
    {
        string what = $"'{path}' (a PyTorch state dict)";
        byte[] bytes = InputBudget.ReadFile(path, "a PyTorch state dict", limits.MaxFileBytes, nameof(InputLimits.MaxFileBytes), Usage, m => new InvalidDataException(m));
        if (bytes.Length < 4 || bytes[0] != 0x50 || bytes[1] != 0x4b || bytes[2] != 0x03 || bytes[3] != 0x04)
        {
            throw new InvalidDataException(
                $"{what} is not a zip archive: it was saved in PyTorch's legacy format (before 1.6, or with _use_new_zipfile_serialization=False) or is not a torch.save file. " +
                "Load it in PyTorch and save it again with torch.save(state_dict, path).");
        }

        var archive = Guard(what, () =>
        {
            var opened = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            _ = opened.Entries.Count;
            return opened;
        });
        try
        {
            CheckByteOrder(archive, what);
            byte[] pickle = ReadPickle(archive, what, limits);
            var summary = PickleScan.Check(pickle, what);
            if (InputBudget.Exceeds(
                what, $"has a pickle of {InputBudget.Figure(summary.Opcodes)} opcodes and {InputBudget.Figure(summary.Tensors)} tensors that may take up to {InputBudget.Figure(summary.EstimatedBytes)} bytes to unpickle",
                summary.EstimatedBytes, limits.MaxFileBytes, nameof(InputLimits.MaxFileBytes), "bytes", Usage) is { } message)
            {
                throw new InvalidDataException(message);
            }

            return new StateDictFile(path, what, archive, Describe(bytes, what));
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the storage of <paramref name="stored"/> into <paramref name="target"/>, a contiguous CPU tensor of its
    /// shape and dtype (the caller checked them with <see cref="StoredTensor.Mismatch"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">The entry holds fewer bytes than the tensor needs.</exception>
    public void ReadInto(StoredTensor stored, Tensor target)
    {
        var entry = _archive.Entries[stored.Entry];
        long needed = target.NumberOfElements * target.ElementSize;
        if (entry.Length < needed)
        {
            throw new InvalidDataException(
                $"{_what} stores '{stored.Key}' in entry '{entry.FullName}' of {InputBudget.Figure(entry.Length)} bytes, but its shape and dtype need {InputBudget.Figure(needed)}; the file is corrupted or crafted. Nothing was copied.");
        }

        Guard(_what, () =>
        {
            using var stream = entry.Open();
            target.ReadBytesFromStream(stream, ReadChunkBytes);
            return true;
        });
    }

    /// <inheritdoc />
    public void Dispose() => _archive.Dispose();

    /// <summary>
    /// Runs a read of the file by .NET's zip reader or PyBridge, turning their errors into one that names the file. The
    /// list is what those readers throw on a malformed or crafted file; <see cref="NotImplementedException"/> among them
    /// is TorchSharp.PyBridge's (1.4.4 references it for parts of the format it does not read), not a MetaLearn stub.
    /// </summary>
    private static T Guard<T>(string what, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is PickleException or InvalidCastException or InvalidOperationException or NotImplementedException or
            IndexOutOfRangeException or ArgumentException or KeyNotFoundException or NullReferenceException or IOException)
        {
            throw new InvalidDataException(
                $"{what} could not be read as a state dict ({e.GetType().Name}: {e.Message}). It is not a file torch.save wrote for a state dict, or it is corrupted or crafted; nothing was copied from it.", e);
        }
    }

    /// <summary>Refuses a file whose tensors are stored big-endian (PyTorch 2.x writes a <c>byteorder</c> record).</summary>
    private static void CheckByteOrder(ZipArchive archive, string what)
    {
        foreach (var entry in archive.Entries.Where(e => e.Name == "byteorder"))
        {
            string order = Guard(what, () =>
            {
                using var reader = new StreamReader(entry.Open());
                char[] buffer = new char[16];
                return new string(buffer, 0, reader.ReadBlock(buffer, 0, buffer.Length)).Trim();
            });
            if (order != "little")
            {
                throw new InvalidDataException($"{what} stores its tensors in '{order}' byte order; only little-endian files are read. Save it again on a little-endian machine.");
            }
        }
    }

    /// <summary>The one <c>data.pkl</c> entry (the one PyBridge reads), read within the limits.</summary>
    private static byte[] ReadPickle(ZipArchive archive, string what, InputLimits limits)
    {
        var pickles = archive.Entries.Where(e => e.Name.EndsWith("data.pkl", StringComparison.Ordinal)).Take(2).ToList();
        if (pickles.Count != 1)
        {
            throw new InvalidDataException(pickles.Count == 0
                ? $"{what} has no data.pkl entry: it is a zip, but not one torch.save wrote."
                : $"{what} has more than one entry named like data.pkl ('{pickles[0].FullName}', '{pickles[1].FullName}'); torch.save writes one.");
        }

        var entry = pickles[0];
        if (InputBudget.Exceeds($"Entry '{entry.FullName}' of {what}", $"declares {InputBudget.Figure(entry.Length)} bytes", entry.Length,
            limits.MaxFileBytes, nameof(InputLimits.MaxFileBytes), "bytes", Usage) is { } message)
        {
            throw new InvalidDataException(message);
        }

        return Guard(what, () =>
        {
            using var stream = entry.Open();
            return Datasets.ZipBudget.ReadEntry(stream, entry.Length, $"Entry '{entry.FullName}'");
        });
    }

    /// <summary>Unpickles the state dict with PyBridge, tensors described but not read, and takes their descriptions.</summary>
    private static List<StoredTensor> Describe(byte[] bytes, string what)
    {
        var state = Guard(what, () =>
        {
            using var stream = new MemoryStream(bytes, writable: false);
            return PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true, skipTensorRead: true);
        });
        var tensors = new List<StoredTensor>(state.Count);
        var problems = new List<string>();
        try
        {
            foreach (var item in state.Cast<DictionaryEntry>().OrderBy(e => e.Key as string, StringComparer.Ordinal))
            {
                if (item.Key is not string key)
                {
                    problems.Add($"a key of type {item.Key.GetType().Name}");
                }
                else if (item.Value?.GetType().FullName != DescriptionType)
                {
                    problems.Add($"'{key}' ({Kind(item.Value)}, not a tensor)");
                }
                else
                {
                    tensors.Add(StoredTensor.From(key, item.Value));
                }
            }
        }
        finally
        {
            foreach (var value in state.Values)
            {
                if (value?.GetType().FullName == DescriptionType)
                {
                    (Property(value, "Data") as Stream)?.Dispose();
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidDataException(
                $"{what} holds a dictionary with entries that are not tensors: {PyTorchWeights.List(problems)}. " +
                "A state dict maps names to tensors; a checkpoint dictionary such as {'model': ..., 'optimizer': ...} is not one: save model.state_dict() alone.");
        }

        return tensors;
    }

    private static string Kind(object? value) => value switch
    {
        null => "None",
        Hashtable => "a dictionary",
        ArrayList or object[] => "a list or tuple",
        string => "a string",
        int or long or double or bool or System.Numerics.BigInteger => "a number",
        _ => $"a {value.GetType().Name}",
    };

    /// <summary>A public property of one of PyBridge's objects, by name; null when it has none.</summary>
    internal static object? Property(object value, string name) =>
        value.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance)?.GetValue(value);
}
