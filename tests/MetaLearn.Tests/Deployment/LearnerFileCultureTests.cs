using System.Globalization;
using MetaLearn.Algorithms;
using MetaLearn.Deployment;
using MetaLearn.Models;

namespace MetaLearn.Tests.Deployment;

/// <summary>A learner file is culture-invariant: what one machine's culture writes, another's reads the same.</summary>
public sealed class LearnerFileCultureTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("metalearn-culture-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("de-DE", "tr-TR")]
    [InlineData("tr-TR", "de-DE")]
    [InlineData("en-US", "de-DE")]
    public void SaveInOneCultureLoadInAnother_RestoresOptionsAndLosses(string saving, string loading)
    {
        var learners = new (string Name, Func<IFunctionalModel, IMetaAlgorithm> Create)[]
        {
            ("maml", m => new Maml(m, new InnerLoopOptions { StepSize = 0.25, Loss = Loss.CrossEntropy(0.1), UpdateRule = InnerUpdateRule.Adam, AdamEpsilon = 1.5e-7 })),
            ("reptile", m => new Reptile(m, new ReptileOptions { OuterStepSize = 0.75, Loss = Loss.Huber(0.5) })),
            ("protonet", m => new PrototypicalNetworks(m, taskBatching: false, Loss.CrossEntropy(0.05))),
            ("imaml", m => new Imaml(m, new ImamlOptions { Regularization = 0.5, Loss = Loss.CrossEntropy(0.3) })),
        };
        var saved = new Dictionary<string, (string Json, double[] Tensors)>();
        InCulture(saving, () =>
        {
            foreach (var (name, create) in learners)
            {
                using var model = new Mlp(new MlpOptions { LayerSizes = new[] { 3, 5, 2 }, Seed = 4 });
                using var learner = create(model);
                LearnerFile.Save(learner, Path.Combine(_directory, $"{name}.metalearn"), new Dictionary<string, string> { ["threshold"] = 0.5.ToString(CultureInfo.InvariantCulture) });
                saved[name] = (AlgorithmSettings.Describe(learner).ToJsonString(), TestEpisodes.Flatten(learner.MetaParameters));
            }
        });

        InCulture(loading, () =>
        {
            foreach (var (name, _) in learners)
            {
                using var loaded = LearnerFile.Load(Path.Combine(_directory, $"{name}.metalearn"));
                AlgorithmSettings.Describe(loaded.Algorithm).ToJsonString().Should().Be(saved[name].Json, name);
                TestEpisodes.Flatten(loaded.Algorithm.MetaParameters).Should().Equal(saved[name].Tensors, name);
                loaded.Metadata["threshold"].Should().Be("0.5");
            }
        });
    }

    [Theory]
    [InlineData("de-DE")]
    [InlineData("tr-TR")]
    public void LossName_InAnyCulture_WritesNumbersInvariantly(string culture)
    {
        InCulture(culture, () =>
        {
            Loss.CrossEntropy(0.1).Name.Should().Be("cross-entropy (label smoothing 0.1)");
            Loss.Huber(1.5).Name.Should().Be("Huber (delta 1.5)");
        });
    }

    /// <summary>Runs <paramref name="action"/> with the current culture and UI culture set to <paramref name="name"/>, then restores them.</summary>
    private static void InCulture(string name, Action action)
    {
        var (culture, ui) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(name);
        try
        {
            action();
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, ui);
        }
    }
}
