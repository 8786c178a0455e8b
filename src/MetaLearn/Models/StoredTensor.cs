namespace MetaLearn.Models;

/// <summary>
/// One tensor of a PyTorch state dict file as the file describes it (nothing allocated): its name, dtype, shape, strides,
/// offset into its storage and the zip entry that holds the storage.
/// </summary>
internal sealed record StoredTensor(string Key, ScalarType DType, long[] Shape, long[] Stride, long StorageOffset, int Entry)
{
    /// <summary>Takes the description TorchSharp.PyBridge made of a tensor it did not read.</summary>
    /// <exception cref="NotSupportedException">PyBridge's description does not have the properties of version 1.4.4.</exception>
    public static StoredTensor From(string key, object description) => new(
        key,
        Get<ScalarType>(description, "DType"),
        Get<long[]>(description, "Shape"),
        Get<long[]>(description, "Stride"),
        Get<int>(description, "StorageOffset"),
        Get<int>(description, "ArchiveIndex"));

    /// <summary>
    /// Why the stored tensor cannot be copied into <paramref name="target"/>: another shape or dtype, or a layout other
    /// than a contiguous tensor at the start of its storage (what <c>torch.save</c> writes for a module's state dict).
    /// </summary>
    /// <returns>Null when it can; else the problem, naming the key.</returns>
    public string? Mismatch(Tensor target)
    {
        if (!Shape.SequenceEqual(target.shape))
        {
            return $"size mismatch for '{Key}': the file has {Format(Shape)}, the target {Format(target.shape)}";
        }

        if (DType != target.dtype)
        {
            return $"dtype mismatch for '{Key}': the file has {DType}, the target {target.dtype} (convert one of them; nothing is converted silently)";
        }

        if (StorageOffset != 0 || !Contiguous())
        {
            return $"'{Key}' is stored as a view into a larger storage (offset {StorageOffset}, strides {Format(Stride)}); " +
                "save contiguous copies: torch.save({k: v.contiguous().clone() for k, v in model.state_dict().items()}, path)";
        }

        return null;
    }

    internal static string Format(IEnumerable<long> values) => $"[{string.Join(", ", values)}]";

    /// <summary>Whether the strides are those of a contiguous tensor of the shape (size-1 dimensions may have any stride, as in PyTorch).</summary>
    private bool Contiguous()
    {
        if (Stride.Length != Shape.Length)
        {
            return false;
        }

        if (Shape.Contains(0))
        {
            return true;
        }

        long expected = 1;
        for (int i = Shape.Length - 1; i >= 0; i--)
        {
            if (Shape[i] != 1 && Stride[i] != expected)
            {
                return false;
            }

            expected *= Shape[i];
        }

        return true;
    }

    private static T Get<T>(object description, string name) =>
        StateDictFile.Property(description, name) is T value
            ? value
            : throw new NotSupportedException(
                $"TorchSharp.PyBridge's description of a stored tensor has no {name} of type {typeof(T).Name}: MetaLearn reads it as TorchSharp.PyBridge 1.4.4 makes it. Use that version.");
}
