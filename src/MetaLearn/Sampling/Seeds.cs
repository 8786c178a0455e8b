namespace MetaLearn.Sampling;

/// <summary>Derives independent, reproducible seeds from a root seed and a path of indices (SplitMix64 mixing).</summary>
public static class Seeds
{
    /// <summary>The seed of item <paramref name="index"/> of stream <paramref name="stream"/> under <paramref name="root"/>.</summary>
    public static int Derive(int root, long stream, long index)
    {
        ulong z = Mix((ulong)(uint)root ^ Mix((ulong)stream + 0x9E3779B97F4A7C15UL) ^ Mix(((ulong)index << 1) + 0xD1B54A32D192ED03UL));
        return (int)(z & 0x7FFFFFFF);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
