namespace MetaLearn.Training;

/// <summary>Where one tensor's bytes lie in a checkpoint payload, with its dtype and shape.</summary>
internal sealed record TensorRecord(ScalarType DType, long[] Shape, int Offset, int Length);

/// <summary>
/// A list of tensors in a checkpoint payload: the count, then for each its dtype, rank, dimensions and raw bytes.
/// Reading is split in two so that nothing is allocated from a file before all of it is known to fit:
/// <see cref="ReadChecked"/> checks every header against the trainer's tensors and only records where the bytes are;
/// <see cref="Allocate"/> makes the tensors afterwards.
/// </summary>
internal static class CheckpointTensors
{
    public static void Write(BinaryWriter writer, IReadOnlyList<Tensor> tensors)
    {
        writer.Write(tensors.Count);
        foreach (var t in tensors)
        {
            using var scope = NewDisposeScope();
            var cpu = t.detach().cpu().contiguous();
            writer.Write((int)cpu.dtype);
            writer.Write(cpu.shape.Length);
            foreach (long d in cpu.shape)
            {
                writer.Write(d);
            }

            writer.Write(cpu.bytes);
        }
    }

    /// <summary>Writes the names of a tensor list (buffers, generators): the count, then each name.</summary>
    public static void WriteNames(BinaryWriter writer, IReadOnlyList<string> names)
    {
        writer.Write(names.Count);
        foreach (string name in names)
        {
            writer.Write(name);
        }
    }

    /// <summary>Reads names written by <see cref="WriteNames"/> and checks them against <paramref name="expected"/>.</summary>
    /// <exception cref="InvalidDataException">The names differ; the message lists what only the file has and what only this model has.</exception>
    public static void ReadNames(BinaryReader reader, IReadOnlyList<string> expected, string path, string what)
    {
        int count = reader.ReadInt32();
        if (count < 0 || count > reader.BaseStream.Length - reader.BaseStream.Position)
        {
            throw new InvalidDataException($"'{path}' announces {count} {what} names, more than it holds; it was not written by this MetaLearn.");
        }

        var names = new string[count];
        for (int i = 0; i < count; i++)
        {
            names[i] = reader.ReadString();
        }

        if (!names.SequenceEqual(expected, StringComparer.Ordinal))
        {
            var onlyFile = names.Except(expected, StringComparer.Ordinal).ToArray();
            var onlyModel = expected.Except(names, StringComparer.Ordinal).ToArray();
            string detail = onlyFile.Length + onlyModel.Length == 0
                ? $"the same names in another order ({string.Join(", ", names)} in the file)"
                : $"only in the file: {List(onlyFile)}; only in this trainer's model: {List(onlyModel)}";
            throw new InvalidDataException($"'{path}': its {what}s differ from this trainer's model's ({detail}). The checkpoint was written for another model.");
        }
    }

    /// <summary>
    /// Reads the headers of a tensor list, checking count, rank, shape and dtype against <paramref name="expected"/>,
    /// and skips over the bytes. Allocates no tensor.
    /// </summary>
    /// <exception cref="InvalidDataException">A tensor does not match, naming which and how.</exception>
    public static TensorRecord[] ReadChecked(BinaryReader reader, IReadOnlyList<Tensor> expected, string path, string what)
    {
        int count = reader.ReadInt32();
        if (count != expected.Count)
        {
            throw new InvalidDataException($"'{path}' holds {count} {what}s; this trainer's algorithm has {expected.Count}. The checkpoint was written for another model.");
        }

        var stream = reader.BaseStream;
        var records = new TensorRecord[count];
        for (int i = 0; i < count; i++)
        {
            var target = expected[i];
            var dtype = (ScalarType)reader.ReadInt32();
            int rank = reader.ReadInt32();
            if (rank != target.shape.Length)
            {
                throw new InvalidDataException($"'{path}': {what} {i} has {rank} dimension(s) but this trainer's is {ShapeText(target.shape)}. The checkpoint was written for another model.");
            }

            var shape = new long[rank];
            for (int d = 0; d < rank; d++)
            {
                shape[d] = reader.ReadInt64();
            }

            if (!shape.SequenceEqual(target.shape))
            {
                throw new InvalidDataException($"'{path}': {what} {i} has shape {ShapeText(shape)} but this trainer's is {ShapeText(target.shape)}. The checkpoint was written for another model.");
            }

            if (dtype != target.dtype)
            {
                throw new InvalidDataException($"'{path}': {what} {i} is {dtype} but this trainer's is {target.dtype}. Build the model with the dtype the checkpoint was written with.");
            }

            long length = target.NumberOfElements * target.ElementSize;
            if (length > stream.Length - stream.Position)
            {
                throw new EndOfStreamException();
            }

            records[i] = new TensorRecord(dtype, shape, checked((int)stream.Position), (int)length);
            stream.Seek(length, SeekOrigin.Current);
        }

        return records;
    }

    /// <summary>Makes the tensors that <paramref name="records"/> describe, from <paramref name="payload"/>.</summary>
    /// <returns>New CPU tensors outside any dispose scope; the caller owns them.</returns>
    public static Tensor[] Allocate(byte[] payload, IReadOnlyList<TensorRecord> records)
    {
        var result = new List<Tensor>(records.Count);
        try
        {
            foreach (var record in records)
            {
                var t = empty(record.Shape, record.DType).DetachFromDisposeScope();
                result.Add(t);
                t.bytes = payload.AsSpan(record.Offset, record.Length);
            }

            return result.ToArray();
        }
        catch
        {
            DisposeAll(result);
            throw;
        }
    }

    public static void DisposeAll(IEnumerable<Tensor>? tensors)
    {
        foreach (var t in tensors ?? Array.Empty<Tensor>())
        {
            t.Dispose();
        }
    }

    public static string ShapeText(long[] shape) => "[" + string.Join(", ", shape) + "]";

    private static string List(IReadOnlyCollection<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);
}
