namespace MetaLearn.Datasets;

/// <summary>How Omniglot images are preprocessed.</summary>
public sealed record OmniglotOptions
{
    /// <summary>Side of the square each 105x105 drawing is resized to, by area averaging (anti-aliased).</summary>
    /// <value>Default 28, the size used by MAML and Prototypical Networks. Must be at least 1.</value>
    public int ImageSize
    {
        get;
        init => field = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ImageSize), value, "The image size must be at least 1 pixel.");
    } = 28;

    /// <summary>How many images are decoded at once.</summary>
    /// <value>Default <see cref="Environment.ProcessorCount"/>. Must be at least 1.</value>
    public int MaxDegreeOfParallelism
    {
        get;
        init => field = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), value, "Decode with at least one thread.");
    } = Environment.ProcessorCount;

    /// <summary>The equivalent generic image options: Omniglot's dark strokes on white are inverted so strokes are 1.</summary>
    internal ImageLoadOptions ToImageLoadOptions() => new()
    {
        ImageSize = ImageSize,
        Invert = true,
        MaxDegreeOfParallelism = MaxDegreeOfParallelism,
    };
}
