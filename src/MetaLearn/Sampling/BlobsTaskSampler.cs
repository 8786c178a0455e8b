using MetaLearn.Datasets;

namespace MetaLearn.Sampling;

/// <summary>
/// Clustering/classification tasks made by <see cref="MakeBlobs"/>: each episode is a fresh draw (new random centers
/// unless they are fixed), with labelled support and query sets per cluster, relabelled 0..Ways-1, class-major.
/// </summary>
/// <param name="options">The task distribution (validated here); default <c>new BlobsTaskOptions()</c>.</param>
internal sealed class BlobsTaskSampler(BlobsTaskOptions? options = null) : TaskSampler<BlobsTaskOptions>(options ?? new BlobsTaskOptions())
{
    /// <summary>The seed of the <see cref="MakeBlobs"/> draw behind episode <paramref name="seed"/>.</summary>
    public static int DataSeed(int seed) => Seeds.Derive(seed, 0, 0);

    /// <inheritdoc />
    public override Episode Sample(int seed)
    {
        using var draw = MakeBlobs.Generate(Options.Generator, DataSeed(seed));
        var random = SyntheticRandom.Create(Seeds.Derive(seed, 2, 0));
        return EpisodicSampler.Split(draw.Data, EpisodicSampler.ChooseClasses(draw.Data.Classes.Count, Options.Ways, random), Options.Shots, Options.Queries, random, seed);
    }
}
