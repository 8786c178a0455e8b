using System.Text;
using System.Text.Json.Nodes;
using MetaLearn.Algorithms;
using MetaLearn.Deployment;
using MetaLearn.Models;

namespace MetaLearn.Tests.Deployment;

/// <summary>
/// A learner file is held to <see cref="InputLimits"/> before anything is allocated from it: crafted files declare huge
/// sizes (a sparse file, a manifest describing a huge model) while the test's own memory stays small.
/// </summary>
public sealed class LearnerFileBudgetTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("metalearn-learner-budget-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Load_SparseFileOf3GB_RefusedAsTooLargeBeforeReading()
    {
        string path = Path.Combine(_directory, "huge.metalearn");
        using (var stream = new FileStream(path, FileMode.CreateNew))
        {
            stream.SetLength(3L << 30);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread();

        var act = () => LearnerFile.Load(path);

        act.Should().Throw<LearnerFileException>().Where(e => e.Problem == LearnerFileProblem.TooLarge)
            .WithMessage($"'{path}' (a learner file) is 3,221,225,472 bytes, more than InputLimits.MaxFileBytes allows (1,073,741,824 bytes)*MaxFileBytes = ...*");
        (GC.GetAllocatedBytesForCurrentThread() - allocated).Should().BeLessThan(16L << 20, "the 3 GB file is never read");
    }

    [Fact]
    public void Load_MaxFileBytesJustBelowAndAtTheFilesLength_RefusesThenLoads()
    {
        string path = SaveMlp(new[] { 3, 5, 2 });
        long length = new FileInfo(path).Length;

        var refused = () => LearnerFile.Load(path, new InputLimits { MaxFileBytes = length - 1 });
        using var loaded = LearnerFile.Load(path, new InputLimits { MaxFileBytes = length });

        refused.Should().Throw<LearnerFileException>().Where(e => e.Problem == LearnerFileProblem.TooLarge)
            .WithMessage($"*is {length:N0} bytes, more than InputLimits.MaxFileBytes allows ({length - 1:N0} bytes)*");
        loaded.Model.ParameterNames.Should().HaveCount(4);
    }

    [Fact]
    public void Load_ManifestDescribingAnMlpOf40GB_RefusedBeforeAnyTensorIsBuilt()
    {
        string path = SaveMlp(new[] { 3, 5, 2 });
        Craft(path, manifest => manifest["model"]!["options"]!["layerSizes"] = new JsonArray(3, 100_000, 100_000, 2));
        long created = Created();

        var act = () => LearnerFile.Load(path);

        // Weights and biases of 3-100000-100000-2: (3 + 1) * 100,000 + (100,000 + 1) * 100,000 + (100,000 + 1) * 2 floats of 4 bytes.
        act.Should().Throw<LearnerFileException>().Where(e => e.Problem == LearnerFileProblem.TooLarge)
            .WithMessage($"'{path}' describes a 'mlp' model whose parameters and buffers take 40,002,800,008 bytes, more than InputLimits.MaxModelBytes allows (1,073,741,824 bytes)*");
        Created().Should().Be(created, "no tensor may be allocated from a manifest that does not fit");
    }

    [Fact]
    public void Load_ManifestDescribingAConv4OfAMillionChannels_RefusedBeforeAnyTensorIsBuilt()
    {
        using var model = new Conv4(new Conv4Options { Ways = 2, Channels = 3, ImageSize = 8, Blocks = 2 });
        using var learner = new Maml(model);
        string path = Path.Combine(_directory, "conv4.metalearn");
        LearnerFile.Save(learner, path);
        Craft(path, manifest => manifest["model"]!["options"]!["channels"] = 1_000_000);
        long created = Created();

        var act = () => LearnerFile.Load(path);

        act.Should().Throw<LearnerFileException>().Where(e => e.Problem == LearnerFileProblem.TooLarge)
            .WithMessage($"'{path}' describes a 'conv4' model whose parameters and buffers take *InputLimits.MaxModelBytes*");
        Created().Should().Be(created);
    }

    [Fact]
    public void Load_MaxModelBytesJustBelowAndAtTheModelsBytes_RefusesThenLoads()
    {
        string path = SaveMlp(new[] { 4, 16, 3 });
        Int128 bytes;
        using (var reference = new Mlp(new MlpOptions { LayerSizes = new[] { 4, 16, 3 } }))
        {
            bytes = reference.Parameters.Aggregate(Int128.Zero, (sum, p) => sum + (p.NumberOfElements * p.ElementSize));
        }

        var refused = () => LearnerFile.Load(path, new InputLimits { MaxModelBytes = (long)bytes - 1 });
        using var loaded = LearnerFile.Load(path, new InputLimits { MaxModelBytes = (long)bytes });

        refused.Should().Throw<LearnerFileException>().WithMessage($"*take {bytes:N0} bytes, more than InputLimits.MaxModelBytes allows*");
        loaded.Architecture.Kind.Should().Be("mlp");
    }

    [Fact]
    public void Load_CaviaContextOfTwoBillionValues_RefusedBeforeLoading()
    {
        using var model = new Mlp(new MlpOptions { LayerSizes = new[] { 4 + new CaviaOptions().ContextSize, 8, 3 } });
        using var learner = new Cavia(model);
        string path = Path.Combine(_directory, "cavia.metalearn");
        LearnerFile.Save(learner, path);
        Craft(path, manifest => manifest["algorithm"]!["options"]!["contextSize"] = 2_000_000_000);

        var act = () => LearnerFile.Load(path);

        act.Should().Throw<LearnerFileException>().Where(e => e.Problem == LearnerFileProblem.TooLarge)
            .WithMessage("*describes a CAVIA context of 2,000,000,000 values*InputLimits.MaxModelBytes*");
    }

    [Fact]
    public void Load_RegisteredModuleKindDeclaringMoreThanTheLimit_RefusedBeforeTheFactoryBuildsIt()
    {
        string kind = "budget-test-" + Guid.NewGuid().ToString("N");
        int built = 0;
        ModelArchitectures.RegisterModule(kind, () =>
        {
            built++;
            return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3));
        });
        string path = Path.Combine(_directory, "module.metalearn");
        Int128 declared;
        using (var module = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)))
        using (var model = FunctionalModel.FromModule(module))
        using (var learner = new Maml(model))
        {
            LearnerFile.Save(learner, path, architecture: ModelArchitectures.Module(kind));
            declared = model.Parameters.Concat(model.Buffers).Aggregate(Int128.Zero, (sum, t) => sum + (t.NumberOfElements * t.ElementSize));
        }

        var refused = () => LearnerFile.Load(path, new InputLimits { MaxModelBytes = (long)declared - 1 });

        refused.Should().Throw<LearnerFileException>().Where(e => e.Problem == LearnerFileProblem.TooLarge)
            .WithMessage($"'{path}' declares {declared:N0} bytes of parameters and buffers for its '{kind}' model*");
        built.Should().Be(0, "the size is checked before the factory builds the module");
        using var loaded = LearnerFile.Load(path, new InputLimits { MaxModelBytes = (long)declared });
        built.Should().Be(1);
    }

    private string SaveMlp(int[] layers)
    {
        using var model = new Mlp(new MlpOptions { LayerSizes = layers });
        using var learner = new Maml(model);
        string path = Path.Combine(_directory, $"mlp-{string.Join('-', layers)}.metalearn");
        LearnerFile.Save(learner, path);
        return path;
    }

    /// <summary>Rewrites the manifest of the learner file at <paramref name="path"/> and its checksum, so only the budget can refuse it.</summary>
    private static void Craft(string path, Action<JsonObject> change)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int length = (int)BitConverter.ToInt64(bytes, 0);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, length))!.AsObject();
        var metadata = header["__metadata__"]!.AsObject();
        var manifest = JsonNode.Parse(metadata["manifest"]!.GetValue<string>())!.AsObject();
        change(manifest);
        metadata["manifest"] = manifest.ToJsonString();
        metadata["checksum"] = "sha256:" + new string('0', 64);
        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        byte[] data = bytes[(8 + length)..];
        LearnerFile.WriteChecksum(headerBytes, LearnerFile.Checksum(headerBytes, data));
        File.WriteAllBytes(path, BitConverter.GetBytes((long)headerBytes.Length).Concat(headerBytes).Concat(data).ToArray());
    }

    private static long Created() => DisposeScopeManager.Statistics.CreatedInScopeCount + DisposeScopeManager.Statistics.CreatedOutsideScopeCount;
}
