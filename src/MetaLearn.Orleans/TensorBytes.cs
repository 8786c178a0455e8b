namespace MetaLearn.Distributed;

/// <summary>Tensors as raw bytes (their dtype and shape are known to both sides), the form they travel in.</summary>
internal static class TensorBytes
{
    /// <summary>The tensors' bytes, one after another (CPU, contiguous, their own dtype).</summary>
    public static byte[] Join(IEnumerable<Tensor> tensors)
    {
        using var scope = NewDisposeScope();
        using var buffer = new MemoryStream();
        foreach (var t in tensors)
        {
            buffer.Write(t.detach().cpu().contiguous().bytes);
        }

        return buffer.ToArray();
    }

    /// <summary>A new tensor shaped like <paramref name="like"/> from <paramref name="bytes"/> at <paramref name="offset"/>, which moves past it.</summary>
    /// <returns>A CPU tensor the caller owns.</returns>
    /// <exception cref="InvalidDataException">The bytes end before the tensor does.</exception>
    public static Tensor Read(byte[] bytes, ref int offset, Tensor like)
    {
        long length = like.NumberOfElements * like.ElementSize;
        if (offset + length > bytes.Length)
        {
            throw new InvalidDataException($"A worker's message holds {bytes.Length} bytes, too few for a tensor of {length} bytes at offset {offset}: the two sides disagree about the meta-parameters.");
        }

        var t = empty(like.shape, like.dtype);
        t.bytes = bytes.AsSpan(offset, (int)length);
        offset += (int)length;
        return t;
    }

    /// <summary>Copies <paramref name="bytes"/> (as <see cref="Join"/> wrote them) into <paramref name="targets"/>.</summary>
    /// <exception cref="InvalidDataException">The byte count does not fit the targets.</exception>
    public static void CopyInto(byte[] bytes, IReadOnlyList<Tensor> targets)
    {
        int offset = 0;
        using var noGrad = no_grad();
        foreach (var target in targets)
        {
            using var source = Read(bytes, ref offset, target);
            target.copy_(source);
        }

        if (offset != bytes.Length)
        {
            throw new InvalidDataException($"The meta-parameters came as {bytes.Length} bytes but this worker's take {offset}.");
        }
    }
}
