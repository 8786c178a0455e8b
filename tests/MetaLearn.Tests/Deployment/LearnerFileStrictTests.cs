using System.Text.Json.Nodes;
using MetaLearn.Algorithms;
using MetaLearn.Deployment;
using MetaLearn.Models;

namespace MetaLearn.Tests.Deployment;

/// <summary>Loading is strict: an intact file whose tensors or settings do not match what it describes is refused, naming them.</summary>
public sealed class LearnerFileStrictTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("metalearn-strict-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Load_LeftoverTensor_IsRefusedNamingIt()
    {
        string path = Save();
        LearnerFileEditor.Edit(path, (_, entries) =>
        {
            entries.Add(new SafeTensors.Entry("buffers.layer0.running_mean", "F32", new long[] { 3 }, new byte[12]));
            entries.Add(new SafeTensors.Entry("extra", "F32", new long[] { 1 }, new byte[4]));
        });

        var act = () => LearnerFile.Load(path);

        act.Should().Throw<LearnerFileException>()
            .Where(e => e.Problem == LearnerFileProblem.Inconsistent)
            .WithMessage("*holds tensor(s) 'buffers.layer0.running_mean', 'extra' that the learner its manifest describes does not have*");
    }

    [Fact]
    public void Load_MissingTensors_AreRefusedNamingThem()
    {
        string path = Save();
        LearnerFileEditor.Edit(path, (_, entries) => entries.RemoveAll(e => e.Name is "model.layer0.bias" or "generators.noise"));

        var act = () => LearnerFile.Load(path);

        act.Should().Throw<LearnerFileException>()
            .Where(e => e.Problem == LearnerFileProblem.Inconsistent)
            .WithMessage("*lacks the tensor(s) 'model.layer0.bias', 'generators.noise' that the learner its manifest describes needs*");
    }

    [Fact]
    public void Load_TensorOfAnotherType_IsRefusedNamingIt()
    {
        string path = Save();
        LearnerFileEditor.Edit(path, (_, entries) =>
        {
            int i = entries.FindIndex(e => e.Name == "model.layer0.weight");
            entries[i] = entries[i] with { DType = "F64", Data = new byte[entries[i].Data.Length * 2] };
        });

        var act = () => LearnerFile.Load(path);

        act.Should().Throw<LearnerFileException>()
            .Where(e => e.Problem == LearnerFileProblem.Inconsistent)
            .WithMessage("*tensor 'model.layer0.weight' is F64 [3, 2] but the learner its manifest describes needs Float32 [3, 2]*");
    }

    [Theory]
    [InlineData("", "manifest.fromTheFuture")]
    [InlineData("algorithm", "manifest.algorithm.fromTheFuture")]
    [InlineData("algorithm.options", "manifest.algorithm.options.fromTheFuture")]
    [InlineData("algorithm.options.loss", "manifest.algorithm.options.loss.fromTheFuture")]
    [InlineData("model", "manifest.model.fromTheFuture")]
    [InlineData("model.options", "manifest.model.options.fromTheFuture")]
    public void Load_UnknownSetting_IsRefusedNamingIt(string where, string named)
    {
        string path = Save();
        LearnerFileEditor.Edit(path, (manifest, _) => At(manifest, where)["fromTheFuture"] = 1);

        var act = () => LearnerFile.Load(path);

        act.Should().Throw<LearnerFileException>()
            .Where(e => e.Problem == LearnerFileProblem.Unsupported)
            .WithMessage($"*holds settings this MetaLearn does not know ({named})*");
    }

    [Theory]
    [InlineData("algorithm.options", "updateRule")]
    [InlineData("algorithm.options", "adamEpsilon")]
    [InlineData("algorithm.options.loss", "labelSmoothing")]
    [InlineData("model.options", "seed")]
    [InlineData("", "metadata")]
    public void Load_MissingSetting_IsRefusedNamingIt(string where, string key)
    {
        string path = Save();
        LearnerFileEditor.Edit(path, (manifest, _) => At(manifest, where).Remove(key).Should().BeTrue());

        var act = () => LearnerFile.Load(path);

        string named = where.Length == 0 ? $"manifest.{key}" : $"manifest.{where}.{key}";
        act.Should().Throw<LearnerFileException>()
            .Where(e => e.Problem == LearnerFileProblem.Corrupted)
            .WithMessage($"*lacks the setting '{named}'*");
    }

    [Theory]
    [InlineData("steps", "0", LearnerFileProblem.Corrupted, "*'manifest.algorithm.options.steps' is 0, which InnerLoopOptions refuses: The inner loop needs at least one step*")]
    [InlineData("steps", "\"2\"", LearnerFileProblem.Corrupted, "*'manifest.algorithm.options.steps' is \"2\", not an integer*")]
    [InlineData("updateRule", "\"Lion\"", LearnerFileProblem.Unsupported, "*'manifest.algorithm.options.updateRule' is 'Lion', which this MetaLearn does not know (Sgd, Momentum, Adam are)*")]
    [InlineData("updateRule", "\"1\"", LearnerFileProblem.Unsupported, "*'manifest.algorithm.options.updateRule' is '1'*")]
    [InlineData("momentum", "1.5", LearnerFileProblem.Corrupted, "*'manifest.algorithm.options.momentum' is 1.5, which InnerLoopOptions refuses*")]
    public void Load_InvalidSettingValue_IsRefusedNamingIt(string key, string json, LearnerFileProblem problem, string message)
    {
        string path = Save();
        LearnerFileEditor.Edit(path, (manifest, _) => At(manifest, "algorithm.options")[key] = JsonNode.Parse(json));

        var act = () => LearnerFile.Load(path);

        act.Should().Throw<LearnerFileException>().Where(e => e.Problem == problem).WithMessage(message);
    }

    [Fact]
    public void Load_NameThatTheOptionsContradict_IsRefused()
    {
        string path = Save();
        LearnerFileEditor.Edit(path, (manifest, _) => At(manifest, "algorithm")["name"] = "fomaml");

        var act = () => LearnerFile.Load(path);

        act.Should().Throw<LearnerFileException>()
            .Where(e => e.Problem == LearnerFileProblem.Corrupted)
            .WithMessage("*the algorithm is named 'fomaml' but its options make it 'maml'*");
    }

    [Fact]
    public void Load_UnknownAlgorithmModelKindOrLoss_IsRefusedAsUnsupported()
    {
        string algorithm = Save("a.metalearn");
        string kind = Save("b.metalearn");
        string loss = Save("c.metalearn");
        LearnerFileEditor.Edit(algorithm, (manifest, _) => At(manifest, "algorithm")["name"] = "leo");
        LearnerFileEditor.Edit(kind, (manifest, _) => At(manifest, "model")["kind"] = "resnet50");
        LearnerFileEditor.Edit(loss, (manifest, _) => At(manifest, "algorithm.options.loss")["kind"] = "focal");

        foreach (var (path, message) in new[]
        {
            (algorithm, "*the algorithm 'leo' is not known to this MetaLearn*"),
            (kind, "*the model kind 'resnet50' is not registered in this process*"),
            (loss, "*the loss 'manifest.algorithm.options.loss.kind' is 'focal', which this MetaLearn does not know*"),
        })
        {
            var act = () => LearnerFile.Load(path);
            act.Should().Throw<LearnerFileException>().Where(e => e.Problem == LearnerFileProblem.Unsupported).WithMessage(message);
        }
    }

    private static JsonObject At(JsonObject manifest, string where) =>
        where.Length == 0 ? manifest : where.Split('.').Aggregate(manifest, (o, key) => o[key]!.AsObject());

    private string Save(string name = "tiny.metalearn")
    {
        using var model = new Mlp(new MlpOptions { LayerSizes = new[] { 2, 3, 2 }, Seed = 1 });
        using var learner = new Maml(model, new InnerLoopOptions { Loss = Loss.CrossEntropy(0.1) });
        string path = Path.Combine(_directory, name);
        LearnerFile.Save(learner, path);
        using (var loaded = LearnerFile.Load(path))
        {
            loaded.Algorithm.Name.Should().Be("maml", "the unedited file loads");
        }

        return path;
    }
}
