using MetaLearn.Datasets;
namespace MetaLearn.Sampling;

/// <summary>Options of <see cref="BlobsTaskSampler"/>.</summary>
public sealed record BlobsTaskOptions
{
    private readonly MakeBlobsOptions _generator = new() { Samples = 150, Features = 2, Centers = 3 };
    private readonly int _ways = 3;
    private readonly int _shots = 5;
    private readonly int _queries = 15;

    /// <summary>The blobs every task draws afresh (fresh random centers per task unless fixed). <value>Default 150 samples, 2 features, 3 centers, std 1, box (-10, 10).</value></summary>
    public MakeBlobsOptions Generator
    {
        get => _generator;
        init => _generator = value ?? throw new ArgumentNullException(nameof(Generator), "Give blob options, e.g. new MakeBlobsOptions().");
    }

    /// <summary>Clusters per episode; when the generator has more centers, each episode picks this many at random. <value>Default 3. At least 1.</value></summary>
    public int Ways { get => _ways; init => _ways = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Ways), value, "An episode needs at least 1 class."); }

    /// <summary>Labelled support examples per cluster. <value>Default 5. At least 1.</value></summary>
    public int Shots { get => _shots; init => _shots = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Shots), value, "Need at least one support example per class."); }

    /// <summary>Query examples per cluster. <value>Default 15. At least 1.</value></summary>
    public int Queries { get => _queries; init => _queries = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Queries), value, "Need at least one query example per class."); }

    /// <summary>Checks the generator, Ways against its centers, and each center's samples against Shots + Queries.</summary>
    /// <exception cref="ArgumentException">A rule is broken; the message says what to change.</exception>
    public void Validate()
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
