namespace MetaLearn.Sampling;

/// <summary>
/// A distribution over tasks. <see cref="Sample"/> is a pure function of its seed: the same seed gives the
/// same episode, on any thread, in any order, which is what makes training reproducible, resumable and
/// parallel episode preparation safe.
/// </summary>
public interface ITaskSampler
{
    /// <summary>Draws the episode identified by <paramref name="seed"/>.</summary>
    /// <returns>A new episode on the CPU that the caller owns and must dispose.</returns>
    Episode Sample(int seed);
}
