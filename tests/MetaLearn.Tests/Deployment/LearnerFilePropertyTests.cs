using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using MetaLearn.Algorithms;
using MetaLearn.Deployment;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace MetaLearn.Tests.Deployment;

/// <summary>
/// For random valid learners (every algorithm with random options, every model kind: MLP, Conv4 in its batch-norm
/// modes, a converted nn.Sequential with BatchNorm1d and Dropout, late and feature fusion), with meta-parameters,
/// running statistics and dropout generators moved away from their initial values: saved, loaded in a second process,
/// adapted and asked for probabilities, they predict the same classes as the saving process with probabilities within
/// 1e-6. One probe process serves all cases. Both processes run with one intra-op thread, and this class runs with no
/// other test at the same time: libtorch's rounding depends on the thread count, which other tests change (a CI run
/// under load once saw 1.07e-6 when this test ran beside them, where it alone gives 6e-8 for the same seed). Each run
/// draws new cases; a failure names its seed, and METALEARN_PROPERTY_SEED replays it.
/// </summary>
[Collection(GlobalRandomCollection.Name)]
public sealed class LearnerFilePropertyTests : IDisposable
{
    /// <summary>How many learners one run checks.</summary>
    public const int Cases = 90;

    private readonly string _directory = Directory.CreateTempSubdirectory("metalearn-property-").FullName;
    private readonly ITestOutputHelper _output;

    public LearnerFilePropertyTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    [Trait("Category", "Slow")]
    public void SaveThenLoadInASecondProcess_RandomLearners_PredictTheSameClassesAndProbabilitiesWithin1e6()
    {
        int seed = Environment.GetEnvironmentVariable("METALEARN_PROPERTY_SEED") is { } fixedSeed
            ? int.Parse(fixedSeed, CultureInfo.InvariantCulture)
            : Random.Shared.Next(1_000_000_000);
        LearnerCases.RegisterModules();
        int savedThreads = get_num_threads();
        set_num_threads(1);
        try
        {
            Check(seed);
        }
        finally
        {
            set_num_threads(savedThreads);
        }
    }

    private void Check(int seed)
    {
        var cases = Gen.Sample(LearnerCases.Any(), size: 10, seed: new Rnd((ulong)seed), numberOfSamples: Cases);
        var expected = new List<(string Case, float[,] Probabilities)>();
        var lines = new List<string>();
        for (int i = 0; i < cases.Length; i++)
        {
            var c = cases[i];
            string path = Path.Combine(_directory, $"{i}.metalearn");
            using var model = c.Model();
            using var learner = c.Algorithm(model);
            Disturb(learner, c.Modalities, seed + i);
            LearnerFile.Save(learner, path, architecture: c.Architecture);
            string described = $"case {i} (METALEARN_PROPERTY_SEED={seed}): {c} {AlgorithmSettings.Describe(learner).ToJsonString()}";
            expected.Add((described, LearnerCases.Probabilities(learner, c.Modalities, seed + i)));
            lines.Add(string.Join('\t', path, c.Modalities, (seed + i).ToString(CultureInfo.InvariantCulture)));
        }

        string list = Path.Combine(_directory, "cases.txt");
        File.WriteAllLines(list, lines);

        var output = LearnerProbe.Run(new[] { "cases", list, "1" });

        output.Should().HaveCount(cases.Length);
        var failures = new List<string>();
        double largest = 0;
        for (int i = 0; i < cases.Length; i++)
        {
            var (described, probabilities) = expected[i];
            var loaded = LearnerProbe.Parse(output[i], probabilities.GetLength(1));
            double difference = LearnerProbe.MaxDifference(loaded, probabilities);
            largest = Math.Max(largest, difference);
            if (!LearnerProbe.Classes(loaded).SequenceEqual(LearnerProbe.Classes(probabilities)) || difference > 1e-6)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{described}: classes {string.Join(",", LearnerProbe.Classes(loaded))} vs {string.Join(",", LearnerProbe.Classes(probabilities))}, largest difference {difference:E2}"));
            }
        }

        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{cases.Length} learners (METALEARN_PROPERTY_SEED={seed}): largest probability difference {largest:E2}"));
        string.Join(Environment.NewLine, failures).Should().BeEmpty($"all {cases.Length} learners should predict in the second process as in the first");
    }

    /// <summary>
    /// Moves every part of the learner's state away from its initial value, so a part the file lost would show: the
    /// meta-parameters get seeded noise, and training-mode passes update the running statistics and draw dropout masks.
    /// </summary>
    private static void Disturb(IMetaAlgorithm learner, string modalities, int seed)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var generator = new Generator((ulong)seed);
        using var size = 0.05.ToScalar();
        foreach (var p in learner.MetaParameters)
        {
            p.add_(randn(p.shape, dtype: p.dtype, generator: generator).mul_(size));
        }

        var model = learner.Model;
        var (support, _, _) = LearnerCases.Inputs(modalities, seed + 1);
        if (learner is Cavia cavia)
        {
            support = support.Select(s => cat(new[] { s, zeros(s.shape[0], cavia.Options.ContextSize) }, 1)).ToArray();
        }

        model.Forward(support, model.Parameters, default);
    }
}
