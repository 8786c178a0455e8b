namespace MetaLearn.Datasets;

/// <summary>How image files become examples: decoded to one grey channel, scaled to [0, 1], resized to a square.</summary>
public sealed record ImageLoadOptions
{
    /// <summary>
    /// Omniglot's image convention (<see cref="LabeledDataset.FromOmniglot"/>, <see cref="OneShotRuns.Load"/>): 28x28
    /// (the size MAML and Prototypical Networks use), inverted so that strokes are 1. Change the size with
    /// <c>ImageLoadOptions.Omniglot with { ImageSize = 20 }</c>.
    /// </summary>
    public static ImageLoadOptions Omniglot { get; } = new() { Invert = true };

    /// <summary>Side of the square every image is resized to, by area averaging (anti-aliased).</summary>
    /// <value>Default 28. Must be at least 1.</value>
    public int ImageSize
    {
        get;
        init => field = OptionChecks.AtLeast(value, 1, nameof(ImageSize), "The image size must be at least 1 pixel.");
    } = 28;

    /// <summary>
    /// Whether intensities are inverted (<c>1 - grey</c>), so that dark ink on white paper becomes 1 on a 0 background.
    /// </summary>
    /// <value>Default false: white is 1, black is 0.</value>
    public bool Invert { get; init; }

    /// <summary>How many images are decoded at once.</summary>
    /// <value>Default <see cref="Environment.ProcessorCount"/>. Must be at least 1.</value>
    public int MaxDegreeOfParallelism
    {
        get;
        init => field = OptionChecks.AtLeast(value, 1, nameof(MaxDegreeOfParallelism), "Decode with at least one thread.");
    } = Environment.ProcessorCount;
}
