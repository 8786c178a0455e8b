using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using MetaLearn.Datasets;
using MetaLearn.Sampling;

namespace MetaLearn.Tests.Sampling;

/// <summary>FsCheck generators of random valid configurations of every sampler in MetaLearn.Sampling, kept small so a case takes milliseconds.</summary>
internal static class SamplerCases
{
    public static readonly string[] Names =
    [
        "sinusoid", "make_classification", "blobs", "gaussian", "projected_cluster", "multimodal", "complementary",
        "multimodal_regression", "episodic", "csv", "modality_subset",
    ];

    public static Gen<SamplerCase> Valid(string name) => name switch
    {
        "sinusoid" => Sinusoid(),
        "make_classification" => MakeClassification(),
        "blobs" => Blobs(),
        "gaussian" => Gaussian(),
        "projected_cluster" => ProjectedCluster(),
        "multimodal" => Multimodal(),
        "complementary" => Complementary(),
        "multimodal_regression" => MultimodalRegression(),
        "episodic" => Episodic(csv: false),
        "csv" => Episodic(csv: true),
        "modality_subset" => ModalitySubset(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown sampler."),
    };

    private static Gen<(int Shots, int Queries)> FewShot(int max = 4) =>
        from shots in Gen.Choose(1, max)
        from queries in Gen.Choose(1, max)
        select (shots, queries);

    /// <summary>A uniform double in [lo, hi] on a grid of 1/1000 (FsCheck's Choose is integer).</summary>
    private static Gen<double> Between(double lo, double hi) => Gen.Choose(0, 1000).Select(k => lo + ((hi - lo) * k / 1000.0));

    private static Gen<SamplerCase> Sinusoid() =>
        from fs in FewShot(8)
        from amplitudeMin in Between(0.1, 2)
        from amplitudeSpan in Between(0, 3)
        from phaseMax in Between(0, Math.PI)
        from inputMin in Between(-5, 0)
        select Case(
            new SinusoidTaskOptions { Shots = fs.Shots, Queries = fs.Queries, AmplitudeMin = amplitudeMin, AmplitudeMax = amplitudeMin + amplitudeSpan, PhaseMax = phaseMax, InputMin = inputMin },
            o => new SinusoidTaskSampler(o), 1, fs, [[1]], classification: false);

    private static Gen<SamplerCase> MakeClassification() =>
        from features in Gen.Choose(2, 8)
        from informative in Gen.Choose(2, Math.Min(features, 3))
        from redundant in Gen.Choose(0, features - informative)
        from classes in Gen.Choose(2, 4)
        from clustersPerClass in Gen.Choose(1, 2)
        from samples in Gen.Choose(60, 120)
        from flip in Between(0, 0.05)
        from ways in Gen.Choose(1, classes)
        from fs in FewShot(3)
        where classes * clustersPerClass <= 1 << informative
        let generator = new MakeClassificationOptions
        {
            Samples = samples, Features = features, Informative = informative, Redundant = redundant, Classes = classes,
            ClustersPerClass = clustersPerClass, FlipY = flip,
        }
        select Case(
            new MakeClassificationTaskOptions { Generator = generator, Ways = ways, Shots = fs.Shots, Queries = fs.Queries },
            o => new MakeClassificationTaskSampler(o), ways, fs, [[features]], classification: true);

    private static Gen<SamplerCase> Blobs() =>
        from centers in Gen.Choose(2, 4)
        from features in Gen.Choose(1, 5)
        from samples in Gen.Choose(30, 90)
        from ways in Gen.Choose(1, centers)
        from fs in FewShot(3)
        select Case(
            new BlobsTaskOptions { Generator = new MakeBlobsOptions { Samples = samples, Features = features, Centers = centers }, Ways = ways, Shots = fs.Shots, Queries = fs.Queries },
            o => new BlobsTaskSampler(o), ways, fs, [[features]], classification: true);

    private static Gen<SamplerCase> Gaussian() =>
        from ways in Gen.Choose(2, 5)
        from features in Gen.Choose(1, 6)
        from separation in Between(0, 3)
        from fs in FewShot()
        select Case(
            new GaussianClassificationTaskOptions { Ways = ways, Shots = fs.Shots, Queries = fs.Queries, Features = features, Separation = separation },
            o => new GaussianClassificationTaskSampler(o), ways, fs, [[features]], classification: true);

    private static Gen<SamplerCase> ProjectedCluster() =>
        from dimensions in Gen.Choose(3, 8)
        from ways in Gen.Choose(1, 4)
        from distance in Between(1, 4)
        from std in Between(0.2, 2)
        from structure in Gen.Choose(0, 1000)
        from fs in FewShot()
        select Case(
            new ProjectedClusterTaskOptions
            {
                Dimensions = dimensions, Ways = ways, Shots = fs.Shots, Queries = fs.Queries, MinCenterDistance = distance, ClusterStd = std, StructureSeed = structure,
            },
            o => new ProjectedClusterTaskSampler(o), ways, fs, [[dimensions]], classification: true);

    private static Gen<SamplerCase> Multimodal() =>
        from ways in Gen.Choose(2, 4)
        from modalities in Gen.Choose(2, 3)
        from features in Gen.ArrayOf(Gen.Choose(1, 5), modalities)
        from separation in Between(0, 3)
        from fs in FewShot()
        select Case(
            new MultimodalTaskOptions { Ways = ways, Shots = fs.Shots, Queries = fs.Queries, ModalityFeatures = features, Separation = separation },
            o => new MultimodalTaskSampler(o), ways, fs, features.Select(f => new long[] { f }).ToArray(), classification: true);

    /// <summary>A <see cref="ModalitySubsetSampler"/> keeping a random non-empty subset of a multimodal sampler's inputs, in random order.</summary>
    private static Gen<SamplerCase> ModalitySubset() =>
        from ways in Gen.Choose(2, 4)
        from features in Gen.ArrayOf(Gen.Choose(1, 5), 3)
        from keep in Gen.Choose(1, 3)
        from order in Gen.Shuffle(new[] { 0, 1, 2 })
        from fs in FewShot()
        let inputs = order.Take(keep).ToArray()
        let options = new MultimodalTaskOptions { Ways = ways, Shots = fs.Shots, Queries = fs.Queries, ModalityFeatures = features }
        select new SamplerCase(
            $"ModalitySubsetSampler [{string.Join(", ", inputs)}] of {options} with features [{string.Join(", ", features)}]",
            () => new ModalitySubsetSampler(new MultimodalTaskSampler(options), inputs),
            ways, fs.Shots, fs.Queries, inputs.Select(i => new long[] { features[i] }).ToArray(), Classification: true);

    private static Gen<ModalityOptions> Modality() =>
        from features in Gen.Choose(1, 5)
        from noise in Gen.Elements(false, false, true)
        from nonLinear in Gen.Elements(false, true)
        from noiseStd in Between(0, 0.5)
        from missing in Gen.Elements(0.0, 0.0, 0.3)
        select new ModalityOptions { Features = features, Noise = noise, NonLinear = nonLinear, NoiseStd = noiseStd, MissingRate = missing };

    private static Gen<ModalityOptions[]> Modalities() =>
        from count in Gen.Choose(1, 3)
        from modalities in Gen.ArrayOf(Modality(), count)
        where modalities.Any(m => !m.Noise)
        select modalities;

    /// <summary>One shape per modality, then the mask <c>[modalities]</c> when a modality can be missing.</summary>
    private static long[][] Shapes(ModalityOptions[] modalities) =>
        modalities.Select(m => new long[] { m.Features })
            .Concat(modalities.Any(m => m.MissingRate > 0) ? [[modalities.Length]] : Array.Empty<long[]>())
            .ToArray();

    private static Gen<SamplerCase> Complementary() =>
        from ways in Gen.Choose(2, 5)
        from modalities in Modalities()
        from latent in Gen.Choose(2, 4)
        from structure in Gen.Choose(0, 1000)
        from fs in FewShot()
        let options = new ComplementaryTaskOptions { Ways = ways, Shots = fs.Shots, Queries = fs.Queries, Modalities = modalities, LatentDimensions = latent, StructureSeed = structure }
        where Math.Pow(2, latent) >= options.GroupsPerModality
        select Case(options, o => new ComplementaryTaskSampler(o), ways, fs, Shapes(modalities), classification: true);

    private static Gen<SamplerCase> MultimodalRegression() =>
        from modalities in Modalities()
        from structure in Gen.Choose(0, 1000)
        from fs in FewShot(6)
        select Case(
            new MultimodalRegressionTaskOptions { Shots = fs.Shots, Queries = fs.Queries, Modalities = modalities, StructureSeed = structure },
            o => new MultimodalRegressionTaskSampler(o), 1, fs, Shapes(modalities), classification: false);

    /// <summary>
    /// A small data set whose rows are (example id, class id, noise): classes of 3 to 9 examples. The episodic sampler
    /// draws from it directly; the CSV case writes the same rows to a file and draws from CsvTable.Read(path).ToDataset().
    /// </summary>
    private static Gen<SamplerCase> Episodic(bool csv) =>
        from classes in Gen.Choose(2, 6)
        from counts in Gen.ArrayOf(Gen.Choose(3, 9), classes)
        from ways in Gen.Choose(1, classes)
        from shots in Gen.Choose(1, counts.Min() - 1)
        from queries in Gen.Choose(1, counts.Min() - shots)
        from sameGroup in Gen.Elements(false, true)
        let options = new EpisodicSamplerOptions { Ways = ways, Shots = shots, Queries = queries, SameGroup = sameGroup && !csv }
        select new SamplerCase(
            $"{(csv ? "Episodes of a CSV file" : "EpisodicSampler")} over classes of [{string.Join(", ", counts)}] examples, {options}",
            () => csv ? CsvSampler(counts, options) : DatasetSampler(counts, options),
            ways, shots, queries, [[3]], Classification: true, Indexed: true);

    private static (double[] Rows, int[] Labels) IndexedRows(int[] counts)
    {
        var rows = new List<double>();
        var labels = new List<int>();
        int id = 0;
        for (int c = 0; c < counts.Length; c++)
        {
            for (int k = 0; k < counts[c]; k++)
            {
                rows.AddRange([id++, c, Math.Sin(id * 1.7)]);
                labels.Add(c);
            }
        }

        return (rows.ToArray(), labels.ToArray());
    }

    private static ITaskSampler DatasetSampler(int[] counts, EpisodicSamplerOptions options)
    {
        var (rows, labels) = IndexedRows(counts);
        var data = LabeledDataset.FromRows(rows, 3, labels, counts.Length);
        return new OwningSampler(data, new EpisodicSampler(data, options));
    }

    private static ITaskSampler CsvSampler(int[] counts, EpisodicSamplerOptions options)
    {
        var (rows, labels) = IndexedRows(counts);
        string path = Path.Combine(Path.GetTempPath(), $"metalearn-sampler-{Guid.NewGuid():N}.csv");
        var lines = new List<string> { "id,cls,noise,y" };
        for (int i = 0; i < labels.Length; i++)
        {
            lines.Add(string.Join(',', rows.Skip(i * 3).Take(3).Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + $",class{labels[i]}");
        }

        File.WriteAllLines(path, lines);
        try
        {
            var data = CsvTable.Read(path).ToDataset();
            try
            {
                return new OwningSampler(data, TaskSamplers.Episodes(data, options));
            }
            catch
            {
                data.Dispose();
                throw;
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static SamplerCase Case<TOptions>(TOptions options, Func<TOptions, ITaskSampler> create, int ways, (int Shots, int Queries) fs, long[][] shapes, bool classification)
        where TOptions : notnull =>
        new(options.ToString()!, () => create(options), ways, fs.Shots, fs.Queries, shapes, classification);
}
