using MetaLearn.Datasets;
namespace MetaLearn.Sampling;

/// <summary>Options of <see cref="TaskSamplers.Blobs"/>. Ways: clusters per episode; when the generator has more centers, each episode picks this many at random. Defaults: 3 ways (at least 1), 5 shots, 15 queries per cluster.</summary>
public sealed record BlobsTaskOptions() : ClassificationTaskOptions(ways: 3, shots: 5, queries: 15, minimumWays: 1)
{
    private readonly MakeBlobsOptions _generator = new() { Samples = 150, Features = 2, Centers = 3 };

    /// <summary>The blobs every task draws afresh (fresh random centers per task unless fixed). <value>Default 150 samples, 2 features, 3 centers, std 1, box (-10, 10).</value></summary>
    public MakeBlobsOptions Generator
    {
        get => _generator;
        init => _generator = value ?? throw new ArgumentNullException(nameof(Generator), "Give blob options, e.g. new MakeBlobsOptions().");
    }

    /// <summary>Checks the generator, Ways against its centers, and each center's samples against Shots + Queries.</summary>
    /// <exception cref="ArgumentException">A rule is broken; the message says what to change.</exception>
    public override void Validate()
    {
        Generator.Validate();
        if (Ways > Generator.CenterCount)
        {
            throw new ArgumentException($"Ways ({Ways}) exceeds the generator's {Generator.CenterCount} centers: lower Ways or add centers.");
        }

        int[] counts = Generator.ResolvedCounts();
        int smallest = counts.Min();
        if (smallest < (long)Shots + Queries)
        {
            throw new ArgumentException(
                $"Center {Array.IndexOf(counts, smallest)} gets {smallest} samples but Shots ({Shots}) + Queries ({Queries}) = {(long)Shots + Queries} are needed " +
                "per cluster: raise the generator's samples, or lower Shots or Queries.");
        }
    }
}
