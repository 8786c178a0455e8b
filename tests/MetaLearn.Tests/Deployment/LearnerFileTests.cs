using System.Globalization;
using System.Text;
using MetaLearn.Algorithms;
using MetaLearn.Datasets;
using MetaLearn.Deployment;
using MetaLearn.Models;

namespace MetaLearn.Tests.Deployment;

public sealed class LearnerFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("metalearn-learner-").FullName;

    /// <summary>Every algorithm: each implements Adapt and a learner file holds it.</summary>
    public static TheoryData<string> AlgorithmNames() => new(Supported);

    private static readonly string[] Supported = MetaAlgorithms.Names.ToArray();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [MemberData(nameof(AlgorithmNames))]
    public void SaveThenLoad_EveryAlgorithm_RestoresNameOptionsAndTensors(string name)
    {
        using var model = new Mlp(new MlpOptions { LayerSizes = new[] { name == "cavia" ? 4 + new CaviaOptions().ContextSize : 4, 8, 3 }, Seed = 3 });
        using var learner = Trained(name, model);
        string path = Path.Combine(_directory, $"{name}.metalearn");

        LearnerFile.Save(learner, path, new Dictionary<string, string> { ["classes"] = "a,b,c" });
        using var loaded = LearnerFile.Load(path);

        loaded.Algorithm.Name.Should().Be(name);
        loaded.Algorithm.GetType().Should().Be(learner.GetType());
        loaded.Architecture.Kind.Should().Be("mlp");
        loaded.Model.ParameterNames.Should().Equal(model.ParameterNames);
        loaded.Metadata.Should().Equal(new Dictionary<string, string> { ["classes"] = "a,b,c" });
        TestEpisodes.Flatten(loaded.Algorithm.MetaParameters).Should().Equal(TestEpisodes.Flatten(learner.MetaParameters));
        switch (learner)
        {
            case Maml g:
                var loadedMaml = (Maml)loaded.Algorithm;
                loadedMaml.Options.Should().BeEquivalentTo(g.Options);
                loadedMaml.AdaptedParameters.Should().Equal(g.AdaptedParameters, "ANIL still adapts only the head");
                loadedMaml.LearnedStepSizes.Select(a => a.shape).Should().BeEquivalentTo(g.LearnedStepSizes.Select(a => a.shape), o => o.WithStrictOrdering());
                break;
            case Reptile r:
                ((Reptile)loaded.Algorithm).Options.Should().Be(r.Options);
                break;
            case Imaml i:
                ((Imaml)loaded.Algorithm).Options.Should().Be(i.Options);
                break;
            case Cavia c:
                ((Cavia)loaded.Algorithm).Options.Should().Be(c.Options);
                break;
            case R2D2 d:
                ((R2D2)loaded.Algorithm).Options.Should().Be(d.Options);
                ((R2D2)loaded.Algorithm).Regularization.Should().Be(d.Regularization);
                break;
        }
    }

    /// <summary>
    /// A second process loads each learner and predicts the same classes with probabilities within 1e-6 of the saving
    /// process's. Not bit for bit: libtorch's results depend on the thread count and on what else ran in the process.
    /// </summary>
    [Fact]
    public void Load_InASecondProcess_PredictsTheSameClassesAndProbabilitiesWithin1e6ForEveryAlgorithm()
    {
        var (support, rows) = WriteCsvFiles();
        var expected = new List<(string Name, float[,] Probabilities)>();
        var paths = new List<string>();
        foreach (string name in Supported)
        {
            using var model = new Mlp(new MlpOptions { LayerSizes = new[] { name == "cavia" ? 4 + new CaviaOptions().ContextSize : 4, 8, name is "protonet" or "r2d2" ? 5 : 3 }, Seed = 5 });
            using var learner = Trained(name, model);
            string path = Path.Combine(_directory, $"{name}.metalearn");
            LearnerFile.Save(learner, path);
            paths.Add(path);
            var table = CsvTable.Read(support);
            using var adapted = learner.Adapt(table.Features, table.ClassIds().Select(c => (long)c).ToArray());
            expected.Add((name, adapted.PredictProbabilities(CsvTable.Read(rows, new CsvTableOptions { LabelRequired = false }).Features)));
        }

        var output = LearnerProbe.Run(new[] { "probe", support, rows }.Concat(paths));

        output.Select(line => line.Split(' ')[0]).Should().Equal(expected.Select(e => e.Name));
        for (int i = 0; i < expected.Count; i++)
        {
            var (name, probabilities) = expected[i];
            var loaded = LearnerProbe.Parse(output[i].Split(' ')[1], probabilities.GetLength(1));
            LearnerProbe.Classes(loaded).Should().Equal(LearnerProbe.Classes(probabilities), name);
            LearnerProbe.MaxDifference(loaded, probabilities).Should().BeLessThanOrEqualTo(1e-6, name);
        }
    }

    /// <summary>
    /// Learners over a <see cref="Backbone"/> of a network whose forward is code, registered as a module kind in both
    /// processes: the file holds the module's parameters and running statistics and the head, and a second process
    /// predicts what the saving one does.
    /// </summary>
    [Fact]
    public void Load_InASecondProcess_BackboneLearnersPredictTheSame()
    {
        Models.ResidualMlp.Register();
        var (support, rows) = WriteCsvFiles();
        var table = CsvTable.Read(support);
        var rowFeatures = CsvTable.Read(rows, new CsvTableOptions { LabelRequired = false }).Features;
        var expected = new List<(string Name, float[,] Probabilities)>();
        var paths = new List<string>();
        foreach (string name in new[] { "anil", "protonet", "r2d2" })
        {
            using var model = new Backbone(() => new Models.ResidualMlp(), new BackboneOptions { Ways = name == "anil" ? 3 : 0, Features = Models.ResidualMlp.Features, Seed = 2 });
            using var learner = Trained(name, model);
            using (var episode = TestEpisodes.Gaussian(3))
            {
                learner.AccumulateMetaGradient(new[] { episode }, 0);
            }

            string path = Path.Combine(_directory, $"backbone-{name}.metalearn");
            var save = () => LearnerFile.Save(learner, path);
            save.Should().Throw<NotSupportedException>().WithMessage("*RegisterModule*ModelArchitecture.Module(kind)*");
            LearnerFile.Save(learner, path, architecture: ModelArchitecture.Module(Models.ResidualMlp.Kind));
            paths.Add(path);
            using var adapted = learner.Adapt(table.Features, table.ClassIds().Select(c => (long)c).ToArray());
            expected.Add((name, adapted.PredictProbabilities(rowFeatures)));

            using var loaded = LearnerFile.Load(path);
            loaded.Model.Should().BeOfType<Backbone>().Which.Options.Should().Be(model.Options);
            TestEpisodes.Flatten(loaded.Model.Buffers).Should().Equal(TestEpisodes.Flatten(model.Buffers), "the running statistics are in the file");
            TestEpisodes.Flatten(loaded.Algorithm.MetaParameters).Should().Equal(TestEpisodes.Flatten(learner.MetaParameters));
        }

        var output = LearnerProbe.Run(new[] { "probe", support, rows }.Concat(paths));

        output.Select(line => line.Split(' ')[0]).Should().Equal(expected.Select(e => e.Name));
        for (int i = 0; i < expected.Count; i++)
        {
            var loaded = LearnerProbe.Parse(output[i].Split(' ')[1], expected[i].Probabilities.GetLength(1));
            LearnerProbe.Classes(loaded).Should().Equal(LearnerProbe.Classes(expected[i].Probabilities), expected[i].Name);
            LearnerProbe.MaxDifference(loaded, expected[i].Probabilities).Should().BeLessThanOrEqualTo(1e-6, expected[i].Name);
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Load_CutAtAnyByte_SaysTruncatedAndChangesNothing()
    {
        string path = SaveTiny();
        byte[] whole = File.ReadAllBytes(path);
        string cut = Path.Combine(_directory, "cut.metalearn");

        for (int length = 0; length < whole.Length; length++)
        {
            File.WriteAllBytes(cut, whole[..length]);
            var act = () => LearnerFile.Load(cut);
            act.Should().Throw<LearnerFileException>()
                .Where(e => e.Problem == LearnerFileProblem.Truncated && e.Message.Contains("is truncated"), $"a file cut to {length} of {whole.Length} bytes is truncated");
            File.ReadAllBytes(cut).Should().HaveCount(length);
        }
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(0xFF)]
    [InlineData(0x01)]
    public void Load_FlippedByteAnywhere_SaysCorruptedAndChangesNothing(int mask)
    {
        string path = SaveTiny();
        byte[] whole = File.ReadAllBytes(path);
        string flipped = Path.Combine(_directory, "flipped.metalearn");

        for (int i = 0; i < whole.Length; i++)
        {
            byte[] bytes = whole.ToArray();
            bytes[i] ^= (byte)mask;
            File.WriteAllBytes(flipped, bytes);
            var act = () => LearnerFile.Load(flipped);
            act.Should().Throw<LearnerFileException>()
                .Where(e => e.Problem == LearnerFileProblem.Corrupted && e.Message.Contains("is corrupted"), $"byte {i} of {whole.Length} was flipped");
            File.ReadAllBytes(flipped).Should().Equal(bytes);
        }

        using var intact = LearnerFile.Load(path);
        intact.Algorithm.Name.Should().Be("maml");
    }

    [Fact]
    public void Load_ForeignFiles_SayNotALearnerFile()
    {
        string text = Path.Combine(_directory, "data.csv");
        File.WriteAllText(text, "f0,f1,y\n1,2,0\n3,4,1\n");
        string plain = Path.Combine(_directory, "plain.safetensors");
        var header = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
        File.WriteAllBytes(plain, BitConverter.GetBytes((long)header.Length).Concat(header).Concat(new byte[4]).ToArray());

        foreach (string path in new[] { text, plain })
        {
            var act = () => LearnerFile.Load(path);
            act.Should().Throw<LearnerFileException>()
                .Where(e => e.Problem == LearnerFileProblem.Foreign && e.Message.Contains("is not a MetaLearn learner file"));
        }
    }

    [Fact]
    public void Load_NewerFormatVersion_SaysSo()
    {
        string path = SaveTiny();
        byte[] bytes = File.ReadAllBytes(path);
        int length = (int)BitConverter.ToInt64(bytes, 0);
        string header = Encoding.UTF8.GetString(bytes, 8, length).Replace("\"format_version\":\"2\"", "\"format_version\":\"7\"", StringComparison.Ordinal);
        int key = header.IndexOf("\"checksum\":\"sha256:", StringComparison.Ordinal) + "\"checksum\":\"sha256:".Length;
        header = header[..key] + new string('0', 64) + header[(key + 64)..];
        byte[] headerBytes = Encoding.UTF8.GetBytes(header);
        LearnerFile.WriteChecksum(headerBytes, LearnerFile.Checksum(headerBytes, bytes.AsSpan(8 + length)));
        File.WriteAllBytes(path, bytes[..8].Concat(headerBytes).Concat(bytes[(8 + length)..]).ToArray());

        var act = () => LearnerFile.Load(path);

        act.Should().Throw<LearnerFileException>()
            .Where(e => e.Problem == LearnerFileProblem.NewerVersion)
            .WithMessage("*newer MetaLearn (learner format version 7); this MetaLearn reads versions up to 2*");
    }

    [Fact]
    public void Save_OverAnExistingFile_ReplacesItAndLeavesNoTemporaryFile()
    {
        string path = SaveTiny();
        using var model = new Mlp(new MlpOptions { LayerSizes = new[] { 2, 3, 2 }, Seed = 9 });
        using var other = new Reptile(model);

        LearnerFile.Save(other, path);

        using var loaded = LearnerFile.Load(path);
        loaded.Algorithm.Name.Should().Be("reptile");
        Directory.GetFiles(_directory).Should().Equal(path);
    }

    [Fact]
    public void Save_SafetensorsLayout_IsReadableByItsSpecification()
    {
        string path = SaveTiny();
        byte[] bytes = File.ReadAllBytes(path);
        long length = BitConverter.ToInt64(bytes, 0);
        var header = System.Text.Json.Nodes.JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)length))!.AsObject();

        var weight = header["model.layer0.weight"]!;
        weight["dtype"]!.GetValue<string>().Should().Be("F32");
        weight["shape"]!.AsArray().Select(n => n!.GetValue<long>()).Should().Equal(3L, 2L);
        long start = weight["data_offsets"]![0]!.GetValue<long>();
        float first = BitConverter.ToSingle(bytes, (int)(8 + length + start));
        using var loaded = LearnerFile.Load(path);
        first.Should().Be(loaded.Model.Parameters[0][0, 0].ToSingle());
        header["__metadata__"]!["format"]!.GetValue<string>().Should().Be("metalearn-learner");
    }

    private static IMetaAlgorithm Trained(string name, IFunctionalModel model)
    {
        var learner = TestAlgorithms.Create(name, model, steps: 2, stepSize: 0.1);

        // Move every meta-parameter (step sizes too) away from its initial value, so a lost tensor would show.
        using (torch.no_grad())
        {
            foreach (var p in learner.MetaParameters)
            {
                using var noise = torch.rand_like(p).mul_(0.01);
                p.add_(noise);
            }
        }

        return learner;
    }

    private string SaveTiny()
    {
        using var model = new Mlp(new MlpOptions { LayerSizes = new[] { 2, 3, 2 }, Seed = 1 });
        using var learner = new Maml(model);
        string path = Path.Combine(_directory, "tiny.metalearn");
        LearnerFile.Save(learner, path);
        return path;
    }

    private (string Support, string Rows) WriteCsvFiles()
    {
        var random = new Random(11);
        var support = new StringBuilder("f0,f1,f2,f3,y\n");
        for (int i = 0; i < 9; i++)
        {
            support.AppendLine(string.Join(",", Enumerable.Range(0, 4).Select(_ => random.NextDouble().ToString("R", CultureInfo.InvariantCulture))) + $",{i % 3}");
        }

        var rows = new StringBuilder("f0,f1,f2,f3\n");
        for (int i = 0; i < 7; i++)
        {
            rows.AppendLine(string.Join(",", Enumerable.Range(0, 4).Select(_ => random.NextDouble().ToString("R", CultureInfo.InvariantCulture))));
        }

        string supportPath = Path.Combine(_directory, "support.csv");
        string rowsPath = Path.Combine(_directory, "rows.csv");
        File.WriteAllText(supportPath, support.ToString());
        File.WriteAllText(rowsPath, rows.ToString());
        return (supportPath, rowsPath);
    }
}
