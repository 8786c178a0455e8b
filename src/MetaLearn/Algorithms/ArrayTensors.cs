namespace MetaLearn.Algorithms;

/// <summary>Plain .NET arrays as tensors, for the array overloads of adaptation and prediction.</summary>
internal static class ArrayTensors
{
    /// <summary>Rows of features as a float32 tensor [N, F]; the caller (or the current dispose scope) owns it.</summary>
    public static Tensor Rows(float[,] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.GetLength(0) == 0 || rows.GetLength(1) == 0)
        {
            throw new ArgumentException($"The rows are empty ({rows.GetLength(0)} x {rows.GetLength(1)}); give at least one row of at least one feature.", nameof(rows));
        }

        var flat = new float[rows.Length];
        Buffer.BlockCopy(rows, 0, flat, 0, flat.Length * sizeof(float));
        return tensor(flat, new long[] { rows.GetLength(0), rows.GetLength(1) });
    }
}
