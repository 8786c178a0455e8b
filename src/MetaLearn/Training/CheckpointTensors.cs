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
}
