using System.Globalization;
using MetaLearn.Algorithms;
using MetaLearn.Deployment;
using MetaLearn.Models;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Deployment;

/// <summary>
/// Format-version-1 files, written by MetaLearn at commit 7dcc2e3 (Fixtures/MakeVersion1Fixtures.cs.txt), load where
/// their meaning is unambiguous and predict what the writing process computed (its metadata["expected"]).
/// </summary>
public sealed class LearnerFileVersion1Tests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("metalearn-v1-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Load_Version1Maml_IsRefusedAsAmbiguousWithoutTheUpdateRule()
    {
        var act = () => LearnerFile.Load(Fixture("v1-maml-smoothing-de.metalearn"));

        act.Should().Throw<LearnerFileException>()
            .Where(e => e.Problem == LearnerFileProblem.Ambiguous)
            .WithMessage("*format version 1, which did not record the inner update rule of 'maml'*version1UpdateRule: InnerUpdateRule.Sgd*");
    }

    [Fact]
    public void Load_Version1MamlSavedInGermanWithTheUpdateRuleStated_PredictsAsTheWritingProcess()
    {
        using var learner = LearnerFile.Load(Fixture("v1-maml-smoothing-de.metalearn"), version1UpdateRule: InnerUpdateRule.Sgd);

        learner.FormatVersion.Should().Be(1);
        var options = ((Maml)learner.Algorithm).Options;
        options.Loss.Name.Should().Be("cross-entropy (label smoothing 0.1)", "the file wrote it with a decimal comma");
        options.UpdateRule.Should().Be(InnerUpdateRule.Sgd);
        (options.Steps, options.StepSize).Should().Be((2, 0.1));
        MaxDifference(Probabilities(learner.Algorithm, new[] { 9L, 4 }, new[] { 5L, 4 }, 11, 12, 9), Expected(learner)).Should().BeLessThan(1e-6);
    }

    [Fact]
    public void Load_Version1ReptileSavedInGerman_KeepsEveryOptionAndPredictsAsTheWritingProcess()
    {
        using var learner = LearnerFile.Load(Fixture("v1-reptile-de.metalearn"));

        var options = ((Reptile)learner.Algorithm).Options;
        (options.Steps, options.StepSize, options.OuterStepSize, options.OuterStepSizeAnnealingIterations).Should().Be((3, 0.05, 0.5, 100));
        options.Loss.Name.Should().Be("cross-entropy (label smoothing 0.2)");
        MaxDifference(Probabilities(learner.Algorithm, new[] { 9L, 4 }, new[] { 5L, 4 }, 11, 12, 9), Expected(learner)).Should().BeLessThan(1e-6);
    }

    [Fact]
    public void Load_Version1Conv4WithRunningStatistics_KeepsThemAndItsEvaluationOutputs()
    {
        using var learner = LearnerFile.Load(Fixture("v1-imaml-conv4-running.metalearn"));

        var conv4 = (Conv4)learner.Model;
        conv4.Options.BatchNormStatistics.Should().Be(BatchNormStatistics.Running, "the file holds running statistics");
        TestEpisodes.Flatten(conv4.Buffers).Should().Contain(v => v != 0 && v != 1);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var images = tensor(Values(4 * 64, 30)).reshape(4, 1, 8, 8);
        var output = conv4.Forward(new[] { images }, conv4.Parameters, new ForwardContext { Training = false }).data<float>().ToArray();
        MaxDifference(output, Expected(learner)).Should().BeLessThan(1e-6);
    }

    [Fact]
    public void Load_Version1ProtonetOnConv4_PredictsAsTheWritingProcess()
    {
        using var learner = LearnerFile.Load(Fixture("v1-protonet-conv4.metalearn"));

        ((Conv4)learner.Model).Options.BatchNormStatistics.Should().Be(BatchNormStatistics.Transductive, "a version-1 Conv4 without running statistics normalised every pass over its own rows");
        ((PrototypicalNetworks)learner.Algorithm).Loss.Name.Should().Be("cross-entropy (label smoothing 0.05)");
        MaxDifference(Probabilities(learner.Algorithm, new[] { 6L, 1, 8, 8 }, new[] { 4L, 1, 8, 8 }, 40, 41, 6), Expected(learner)).Should().BeLessThan(1e-6);
    }

    [Fact]
    public void Load_Version1SavedAgain_WritesTheCurrentVersionWhichLoadsWithoutAssumptions()
    {
        using var learner = LearnerFile.Load(Fixture("v1-maml-smoothing-de.metalearn"), version1UpdateRule: InnerUpdateRule.Sgd);
        string path = Path.Combine(_directory, "resaved.metalearn");

        LearnerFile.Save(learner.Algorithm, path, learner.Metadata);
        using var again = LearnerFile.Load(path);

        again.FormatVersion.Should().Be(LearnerFile.FormatVersion);
        TestEpisodes.Flatten(again.Algorithm.MetaParameters).Should().Equal(TestEpisodes.Flatten(learner.Algorithm.MetaParameters));
        MaxDifference(Probabilities(again.Algorithm, new[] { 9L, 4 }, new[] { 5L, 4 }, 11, 12, 9), Expected(learner)).Should().BeLessThan(1e-6);
    }

    [Fact]
    public void Load_UndefinedVersion1UpdateRule_IsRefusedBeforeTheFileIsRead()
    {
        var act = () => LearnerFile.Load(Path.Combine(_directory, "no-such-file.metalearn"), version1UpdateRule: (InnerUpdateRule)7);

        act.Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "version1UpdateRule")
            .WithMessage("*Use InnerUpdateRule.Sgd, Momentum or Adam, or null*");
    }

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Deployment", "Fixtures", name);

    private static float[] Expected(Learner learner) =>
        learner.Metadata["expected"].Split(';').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The adapted probabilities for the inputs the fixture program drew (see MakeVersion1Fixtures.cs.txt).</summary>
    private static float[] Probabilities(IMetaAlgorithm algorithm, long[] supportShape, long[] rowsShape, int supportSeed, int rowsSeed, int supportCount)
    {
        using var scope = NewDisposeScope();
        var support = tensor(Values((int)supportShape.Aggregate(1L, (a, b) => a * b), supportSeed)).reshape(supportShape);
        var rows = tensor(Values((int)rowsShape.Aggregate(1L, (a, b) => a * b), rowsSeed)).reshape(rowsShape);
        var labels = tensor(Enumerable.Range(0, supportCount).Select(i => (long)(i % 3)).ToArray());
        using var adapted = algorithm.Adapt(new[] { support }, labels);
        return adapted.PredictProbabilities(rows).data<float>().ToArray();
    }

    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    private static double MaxDifference(float[] actual, float[] expected)
    {
        actual.Should().HaveCount(expected.Length);
        return actual.Zip(expected, (a, b) => Math.Abs((double)a - b)).Max();
    }
}
