using FsCheck;
using FsCheck.Fluent;
using MetaLearn.Datasets;
using MetaLearn.Sampling;

namespace MetaLearn.Tests.Sampling;

/// <summary>
/// Property-based test (FsCheck): random invalid options of every sampler fail with an <see cref="ArgumentException"/>
/// (or a subclass) when the options or the sampler are built, or at the latest when the first episode is drawn; never
/// with another exception type (overflow, index, out-of-memory, libtorch).
/// </summary>
public sealed class SamplerInvalidOptionsTests
{
    /// <summary>Counts that no option accepts, and counts that overflow or cannot be allocated when multiplied.</summary>
    private static readonly Gen<int> BadCount = Gen.Elements(0, -1, -7, int.MinValue);

    private static readonly Gen<int> HugeCount = Gen.Elements(int.MaxValue, 1 << 30, 100_000, 3_000_000);

    private static readonly Gen<double> BadReal = Gen.Elements(double.NaN, double.PositiveInfinity, double.NegativeInfinity, -1.0, -1e300);

    [Fact]
    public void Create_RandomInvalidOptionsOfEverySampler_ThrowArgumentExceptionWithAMessage()
    {
        // 330 cases over ten generators of invalid configurations: about 33 per sampler.
        var cases = Gen.OneOf(
            Sinusoid(), MakeClassification(), Blobs(), Gaussian(), ProjectedCluster(), Multimodal(), Complementary(), MultimodalRegression(), Episodic(), ModalitySubset());
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(330).WithQuietOnSuccess(true),
            Prop.ForAll(cases.ToArbitrary(), c =>
            {
                var thrown = Record.Exception(() =>
                {
                    var sampler = c.Create();
                    try
                    {
                        using var episode = sampler.Sample(1);
                    }
                    finally
                    {
                        (sampler as IDisposable)?.Dispose();
                    }
                });

                thrown.Should().NotBeNull($"{c} must be refused");
                thrown.Should().BeAssignableTo<ArgumentException>($"{c} must be refused with an ArgumentException, not {thrown!.GetType().Name}: {thrown.Message}");
                thrown!.Message.Length.Should().BeGreaterThan(30, "the message says what is wrong and what to do");
            }));
    }

    /// <summary>
    /// Episodes of a CSV file (<c>CsvTable.Read(path).ToDataset(Shots + Queries)</c>, then <see cref="TaskSamplers.Episodes"/>):
    /// invalid episode options give an ArgumentException like every sampler; problems of the file itself keep CsvTable's
    /// documented types (FileNotFoundException, InvalidDataException naming the file and line), and a class with fewer
    /// rows than Shots + Queries is reported by CsvTable as InvalidDataException naming the class's lines.
    /// </summary>
    [Fact]
    public void CsvEpisodes_RandomInvalidFilesAndOptions_ThrowTheDocumentedExceptionType()
    {
        var cases = from problem in Gen.Choose(0, 6)
                    from n in Gen.Choose(1, 4)
                    select (Problem: problem, N: n);
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(40).WithQuietOnSuccess(true),
            Prop.ForAll(cases.ToArbitrary(), c =>
            {
                var thrown = Record.Exception(() => Csv(c.Problem, c.N).Dispose());

                var expected = c.Problem switch
                {
                    0 => typeof(FileNotFoundException),
                    5 or 6 => typeof(ArgumentException),
                    _ => typeof(InvalidDataException),
                };
                thrown.Should().NotBeNull($"CSV problem {c.Problem} must be refused");
                thrown.Should().BeAssignableTo(expected, $"CSV problem {c.Problem} ({c.N}): {thrown!.GetType().Name}: {thrown.Message}");
            }));
    }

    private static Gen<InvalidCase> Sinusoid() => Gen.OneOf(
        BadCount.Select(v => new InvalidCase($"sinusoid Shots = {v}", () => new SinusoidTaskSampler(new SinusoidTaskOptions { Shots = v }))),
        BadCount.Select(v => new InvalidCase($"sinusoid Queries = {v}", () => new SinusoidTaskSampler(new SinusoidTaskOptions { Queries = v }))),
        Gen.Elements(double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1.5, 1e300).Select(v => new InvalidCase(
            $"sinusoid AmplitudeMin = {v} with AmplitudeMax = 1", () => new SinusoidTaskSampler(new SinusoidTaskOptions { AmplitudeMin = v, AmplitudeMax = 1 }))),
        BadReal.Select(v => new InvalidCase($"sinusoid InputMax = {v}", () => new SinusoidTaskSampler(new SinusoidTaskOptions { InputMin = 0, InputMax = v }))),
        Gen.Choose(1, 100).Select(d => new InvalidCase($"sinusoid PhaseMin above PhaseMax by {d}", () => new SinusoidTaskSampler(new SinusoidTaskOptions { PhaseMin = d, PhaseMax = 0 }))),
        Gen.Elements(int.MaxValue, 1 << 30).Select(v => new InvalidCase($"sinusoid Shots = Queries = {v}", () => new SinusoidTaskSampler(new SinusoidTaskOptions { Shots = v, Queries = v }))));

    private static Gen<InvalidCase> MakeClassification() => Gen.OneOf(
        BadCount.Select(v => new InvalidCase($"make_classification Ways = {v}", () => new MakeClassificationTaskSampler(new MakeClassificationTaskOptions { Ways = v }))),
        Gen.Choose(4, 50).Select(w => new InvalidCase($"make_classification Ways = {w} > 3 classes", () => new MakeClassificationTaskSampler(new MakeClassificationTaskOptions { Ways = w }))),
        HugeCount.Select(v => new InvalidCase($"make_classification Shots = {v}", () => new MakeClassificationTaskSampler(new MakeClassificationTaskOptions { Shots = v }))),
        BadCount.Select(v => new InvalidCase($"make_classification Generator.Samples = {v}", () => new MakeClassificationOptions { Samples = v })),
        Gen.Choose(3, 30).Select(inf => new InvalidCase(
            $"make_classification Informative = {inf} > Features = 2",
            () => new MakeClassificationTaskSampler(new MakeClassificationTaskOptions { Generator = new MakeClassificationOptions { Features = 2, Informative = inf, Redundant = 0 } }))),
        Gen.Choose(5, 40).Select(classes => new InvalidCase(
            $"make_classification Classes = {classes} on a 2-dimensional hypercube",
            () => new MakeClassificationTaskSampler(new MakeClassificationTaskOptions { Generator = MakeClassificationTaskOptions.WorkloadGenerator with { Classes = classes }, Ways = 2 }))),
        HugeCount.Select(v => new InvalidCase(
            $"make_classification Samples = Features = {v}",
            () => new MakeClassificationTaskSampler(new MakeClassificationTaskOptions { Generator = new MakeClassificationOptions { Samples = v, Features = v, Informative = 2, Redundant = 0 }, Ways = 2 }))),
        BadReal.Select(v => new InvalidCase($"make_classification FlipY = {v}", () => new MakeClassificationOptions { FlipY = v })));

    private static Gen<InvalidCase> Blobs() => Gen.OneOf(
        BadCount.Select(v => new InvalidCase($"blobs Shots = {v}", () => new BlobsTaskSampler(new BlobsTaskOptions { Shots = v }))),
        Gen.Choose(4, 30).Select(w => new InvalidCase($"blobs Ways = {w} > 3 centers", () => new BlobsTaskSampler(new BlobsTaskOptions { Ways = w }))),
        Gen.Choose(50, 10_000).Select(q => new InvalidCase($"blobs Queries = {q} > 50 samples per center", () => new BlobsTaskSampler(new BlobsTaskOptions { Queries = q }))),
        HugeCount.Select(v => new InvalidCase(
            $"blobs Samples = Features = {v}",
            () => new BlobsTaskSampler(new BlobsTaskOptions { Generator = new MakeBlobsOptions { Samples = v, Features = v }, Ways = 1, Shots = 1, Queries = 1 }))),
        BadReal.Select(v => new InvalidCase($"blobs ClusterStd = {v}", () => new MakeBlobsOptions { ClusterStd = new[] { v } })));

    private static Gen<InvalidCase> Gaussian() => Gen.OneOf(
        Gen.Elements(1, 0, -3).Select(v => new InvalidCase($"gaussian Ways = {v}", () => new GaussianClassificationTaskSampler(new GaussianClassificationTaskOptions { Ways = v }))),
        BadCount.Select(v => new InvalidCase($"gaussian Features = {v}", () => new GaussianClassificationTaskSampler(new GaussianClassificationTaskOptions { Features = v }))),
        BadReal.Select(v => new InvalidCase($"gaussian Separation = {v}", () => new GaussianClassificationTaskSampler(new GaussianClassificationTaskOptions { Separation = v }))),
        HugeCount.Select(v => new InvalidCase(
            $"gaussian Ways = Features = {v}",
            () => new GaussianClassificationTaskSampler(new GaussianClassificationTaskOptions { Ways = v, Features = v }))));

    private static Gen<InvalidCase> ProjectedCluster() => Gen.OneOf(
        Gen.Elements(2, 0, -1).Select(v => new InvalidCase($"projected Dimensions = {v}", () => new ProjectedClusterTaskSampler(new ProjectedClusterTaskOptions { Dimensions = v }))),
        BadReal.Select(v => new InvalidCase($"projected NoiseStd = {v}", () => new ProjectedClusterTaskSampler(new ProjectedClusterTaskOptions { NoiseStd = v }))),
        Gen.Choose(30, 1000).Select(w => new InvalidCase($"projected Ways = {w} in the default box", () => new ProjectedClusterTaskSampler(new ProjectedClusterTaskOptions { Ways = w }))),
        HugeCount.Select(v => new InvalidCase($"projected Dimensions = {v}", () => new ProjectedClusterTaskSampler(new ProjectedClusterTaskOptions { Dimensions = v }))));

    private static Gen<InvalidCase> Multimodal() => Gen.OneOf(
        Gen.Elements(1, 0, -2).Select(v => new InvalidCase($"multimodal Ways = {v}", () => new MultimodalTaskSampler(new MultimodalTaskOptions { Ways = v }))),
        Gen.Choose(0, 1).Select(n => new InvalidCase($"multimodal {n} modalities", () => new MultimodalTaskSampler(new MultimodalTaskOptions { ModalityFeatures = Enumerable.Repeat(3, n).ToArray() }))),
        BadCount.Select(v => new InvalidCase($"multimodal modality features {v}", () => new MultimodalTaskSampler(new MultimodalTaskOptions { ModalityFeatures = [3, v] }))),
        HugeCount.Select(v => new InvalidCase($"multimodal Shots = features = {v}", () => new MultimodalTaskSampler(new MultimodalTaskOptions { Shots = v, ModalityFeatures = [v, 2] }))));

    private static Gen<InvalidCase> Complementary() => Gen.OneOf(
        Gen.Choose(1, 3).Select(n => new InvalidCase(
            $"complementary {n} noise-only modalities",
            () => new ComplementaryTaskSampler(new ComplementaryTaskOptions { Modalities = Enumerable.Repeat(ModalityOptions.PureNoise(2), n).ToArray() }))),
        Gen.Elements(0, 17, -1).Select(v => new InvalidCase($"complementary LatentDimensions = {v}", () => new ComplementaryTaskOptions { LatentDimensions = v })),
        Gen.Choose(5, 16).Select(w => new InvalidCase(
            $"complementary Ways = {w} with one informative modality on a 1-dimensional latent",
            () => new ComplementaryTaskSampler(new ComplementaryTaskOptions { Ways = w, LatentDimensions = 1, Modalities = [ModalityOptions.Informative(2)] }))),
        BadReal.Select(v => new InvalidCase($"complementary missing rate {v}", () => new ModalityOptions { MissingRate = v })),
        HugeCount.Select(v => new InvalidCase(
            $"complementary modality of {v} features and {v} queries",
            () => new ComplementaryTaskSampler(new ComplementaryTaskOptions { Queries = v, Modalities = [ModalityOptions.Informative(v)] }))));

    private static Gen<InvalidCase> MultimodalRegression() => Gen.OneOf(
        BadReal.Select(v => new InvalidCase($"multimodal regression AmplitudeMax = {v}", () => new MultimodalRegressionTaskSampler(new MultimodalRegressionTaskOptions { Ranges = new SinusoidTaskOptions { AmplitudeMax = v } }))),
        Gen.Constant(new InvalidCase("multimodal regression no modality", () => new MultimodalRegressionTaskSampler(new MultimodalRegressionTaskOptions { Modalities = [] }))),
        HugeCount.Select(v => new InvalidCase(
            $"multimodal regression Shots = features = {v}",
            () => new MultimodalRegressionTaskSampler(new MultimodalRegressionTaskOptions { Shots = v, Modalities = [ModalityOptions.Informative(v)] }))));

    private static Gen<InvalidCase> Episodic() => Gen.OneOf(
        BadCount.Select(v => new InvalidCase($"episodic Shots = {v}", () => new EpisodicSamplerOptions { Shots = v })),
        Gen.Elements(45, 1, 360, -90).Select(r => new InvalidCase($"episodic Rotations = [0, {r}]", () => new EpisodicSamplerOptions { Rotations = [0, r] })),
        Gen.Choose(4, 20).Select(w => new InvalidCase($"episodic Ways = {w} of 3 classes", () => Episodes(new EpisodicSamplerOptions { Ways = w, Shots = 1, Queries = 1 }))),
        Gen.Choose(5, 100).Select(q => new InvalidCase($"episodic Queries = {q} of 5 per class", () => Episodes(new EpisodicSamplerOptions { Ways = 2, Shots = 1, Queries = q }))),
        HugeCount.Select(v => new InvalidCase($"episodic Shots = {v}, Queries = {v}", () => Episodes(new EpisodicSamplerOptions { Ways = 2, Shots = v, Queries = v }))),
        Gen.Constant(new InvalidCase("episodic 90-degree rotation of rows", () => Episodes(new EpisodicSamplerOptions { Ways = 2, Shots = 1, Queries = 1, Rotations = [0, 90] }))),
        Gen.Constant(new InvalidCase(
            "episodic SameGroup with classes in different groups",
            () => Episodes(new EpisodicSamplerOptions { Ways = 2, Shots = 1, Queries = 1, SameGroup = true }, [new("a", "g1"), new("b", "g2"), new("c", "g3")]))));

    private static Gen<InvalidCase> ModalitySubset() => Gen.OneOf(
        Gen.Elements(new int[0], [-1], [0, 0], [1, -3]).Select(inputs => new InvalidCase(
            $"modality subset [{string.Join(", ", inputs)}]", () => new ModalitySubsetSampler(new MultimodalTaskSampler(), inputs))),
        Gen.Choose(2, 40).Select(i => new InvalidCase($"modality subset [0, {i}] of 2 modalities", () => new ModalitySubsetSampler(new MultimodalTaskSampler(), 0, i))));

    /// <summary>An episodic sampler over 3 classes of 5 rows; the data set is disposed with the sampler or when the sampler is refused.</summary>
    private static ITaskSampler Episodes(EpisodicSamplerOptions options, LabeledClass[]? classes = null)
    {
        int[] labels = Enumerable.Range(0, 15).Select(i => i / 5).ToArray();
        var data = new LabeledDataset(TorchSharp.torch.randn(15, 2), labels, classes ?? [new("a", ""), new("b", ""), new("c", "")]);
        try
        {
            return new OwningSampler(data, new EpisodicSampler(data, options));
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>CSV problems: a missing file, no label column, a class with too few rows, an unparsable value, no rows, Ways above the classes, Shots below 1.</summary>
    private static OwningSampler Csv(int problem, int n)
    {
        string path = Path.Combine(Path.GetTempPath(), $"metalearn-invalid-{Guid.NewGuid():N}.csv");
        string[] lines = problem switch
        {
            1 => ["a,b", "1,2", "3,4"],
            2 => ["a,y", .. Enumerable.Range(0, 6).Select(i => $"{i},c0"), .. Enumerable.Range(0, n).Select(i => $"{i},c1")],
            3 => ["a,y", "1,c0", $"x{n},c0", "2,c1", "3,c1"],
            4 => ["a,y"],
            _ => ["a,y", .. Enumerable.Range(0, 16).Select(i => $"{i},c{i % 2}")],
        };
        if (problem != 0)
        {
            File.WriteAllLines(path, lines);
        }

        try
        {
            var options = problem switch
            {
                5 => new EpisodicSamplerOptions { Ways = 2 + n, Shots = 1, Queries = 1 },
                6 => new EpisodicSamplerOptions { Ways = 2, Shots = 1 - n, Queries = 1 },
                _ => new EpisodicSamplerOptions { Ways = 2, Shots = 2, Queries = 5 },
            };
            var data = CsvTable.Read(path).ToDataset(options.Shots + options.Queries);
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
}

/// <summary>An invalid configuration: building it (or its sampler, or the first episode) must throw an ArgumentException.</summary>
internal sealed record InvalidCase(string Description, Func<object> Build)
{
    /// <summary>Builds the configuration; when it is a sampler, returns it to be sampled.</summary>
    public ITaskSampler Create() => Build() as ITaskSampler ?? throw new InvalidOperationException($"{Description} was accepted.");

    /// <inheritdoc />
    public override string ToString() => Description;
}
