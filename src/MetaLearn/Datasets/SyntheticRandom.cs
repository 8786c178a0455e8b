using MathNet.Numerics.Random;

namespace MetaLearn.Datasets;

/// <summary>The random source every synthetic generator uses for a seed.</summary>
internal static class SyntheticRandom
{
    /// <summary>A fast, non-thread-safe xoshiro256** source owned by one call.</summary>
    public static Random Create(int seed) => new Xoshiro256StarStar(seed, threadSafe: false);

    /// <summary>Uniform on [low, high).</summary>
    public static double Uniform(this Random random, double low, double high) => low + ((high - low) * random.NextDouble());
}
