using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Tasks;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

/// <summary>
/// Learners as users build them, for the tests of pure adaptation and of the one path from Adapt to a prediction:
/// every algorithm over a converted <c>nn.Sequential</c> with batch norm (one keeping running statistics, one not) and
/// dropout, over Conv4 in each batch-norm mode (all but CAVIA, whose context is appended to feature vectors), and, for
/// the algorithms that adapt only a head, over a <see cref="Backbone"/> of a network whose forward is code.
/// </summary>
internal static class AdaptationCases
{
    public const int Ways = 3;

    /// <summary>The model kinds: <c>module</c>, <c>conv4-support</c>, <c>conv4-running</c>, <c>conv4-transductive</c> and <c>backbone</c>.</summary>
    public static readonly string[] ModelKinds = { "module", "conv4-support", "conv4-running", "conv4-transductive", "backbone" };

    /// <summary>The algorithms that adapt only a head, so take a <see cref="Backbone"/>.</summary>
    public static readonly string[] HeadAdapting = { "anil", "protonet", "r2d2", "finetune" };

    /// <summary>The algorithms whose model is an embedding network (no head).</summary>
    public static readonly string[] Embedding = { "protonet", "r2d2", "finetune" };

    /// <summary>Every algorithm (and the fine-tuning baseline) with every model kind it applies to.</summary>
    public static TheoryData<string, string> All()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in MetaAlgorithms.Names.Append("finetune"))
        {
            foreach (var kind in ModelKinds.Where(k => (name != "cavia" || k == "module") && (k != "backbone" || HeadAdapting.Contains(name))))
            {
                data.Add(name, kind);
            }
        }

        return data;
    }

    /// <summary>The model of <paramref name="kind"/> for <paramref name="algorithm"/>: an embedding for ProtoNets and R2D2, a classifier otherwise.</summary>
    public static IFunctionalModel Model(string algorithm, string kind, int seed = 1)
    {
        bool embeds = Embedding.Contains(algorithm);
        int outputs = embeds ? 8 : Ways;
        if (kind == "module")
        {
            int inputs = algorithm == "cavia" ? 4 + new CaviaOptions().ContextSize : 4;
            using var net = nn.Sequential(
                ("fc", nn.Linear(inputs, 16, dtype: ScalarType.Float64)),
                ("norm", nn.BatchNorm1d(16, dtype: ScalarType.Float64)),
                ("relu", nn.ReLU()),
                ("drop", nn.Dropout(0.25)),
                ("fc2", nn.Linear(16, 16, dtype: ScalarType.Float64)),
                ("norm2", nn.BatchNorm1d(16, track_running_stats: false, dtype: ScalarType.Float64)),
                ("relu2", nn.ReLU()),
                ("head", nn.Linear(16, outputs, dtype: ScalarType.Float64)));
            var model = FunctionalModel.FromModule(net, new ModuleConversionOptions { Seed = seed });
            Reinitialise(model, seed);
            return model;
        }

        if (kind == "backbone")
        {
            return new Backbone(() => new Models.ResidualNet(seed: seed), new BackboneOptions { Ways = embeds ? 0 : Ways, Features = Models.ResidualNet.Features(), Seed = seed });
        }

        var statistics = Enum.Parse<BatchNormStatistics>(kind["conv4-".Length..], ignoreCase: true);
        return new Conv4(new Conv4Options { Ways = embeds ? 0 : Ways, Channels = 3, ImageSize = 8, Blocks = 2, BatchNormStatistics = statistics, Seed = seed, DType = ScalarType.Float64 });
    }

    /// <summary>
    /// The learner: two inner steps of size 0.1 where the algorithm takes steps; fine-tuning pre-trains a classifier
    /// over the episodes' 3 classes and fits its heads in 20 steps.
    /// </summary>
    public static IMetaAlgorithm Learner(string algorithm, IFunctionalModel model) => algorithm == "finetune"
        ? new FineTuning(model, new FineTuningOptions { Classes = Ways, Features = EmbeddingWidth(model), Steps = 20, StepSize = 0.05 })
        : TestAlgorithms.Create(algorithm, model, steps: 2, stepSize: 0.1);

    /// <summary>The features per example of an embedding model of <see cref="Model"/>.</summary>
    private static int EmbeddingWidth(IFunctionalModel model) => model switch
    {
        Backbone => Models.ResidualNet.Features(),
        Conv4 conv => conv.Options.Channels * 2 * 2,
        _ => 8,
    };

    /// <summary>A 3-way 2-shot episode with 3 queries per class, of feature vectors (<c>module</c>) or 1x8x8 images.</summary>
    public static Episode Episode(string kind, int seed)
    {
        if (kind == "module")
        {
            return TestEpisodes.Gaussian(seed, ways: Ways, features: 4, shots: 2, queries: 3);
        }

        using var generator = new Generator((ulong)seed);
        using var scope = NewDisposeScope();
        var patterns = randn(new long[] { Ways, 1, 8, 8 }, dtype: ScalarType.Float64, generator: generator);
        (Tensor X, Tensor Y) Draw(int perClass)
        {
            var labels = MetaLearn.ScalarMath.ClassLabels(Ways, perClass);
            var noise = randn(new long[] { labels.shape[0], 1, 8, 8 }, dtype: ScalarType.Float64, generator: generator);
            return (patterns.index_select(0, labels).Plus(noise), labels);
        }

        var (sx, sy) = Draw(2);
        var (qx, qy) = Draw(3);
        return new Episode(sx, sy, qx, qy, new EpisodeInfo(Ways, 2, 3, seed, TaskKind.Classification));
    }

    /// <summary>Everything the learner holds that a prediction may read: meta-parameters (with step sizes and R2D2's head), the model's buffers and its dropout generator's state.</summary>
    public static double[] State(IMetaAlgorithm learner)
    {
        using var scope = NewDisposeScope();
        var model = learner.Model;
        return TestEpisodes.Flatten(learner.MetaParameters)
            .Concat(TestEpisodes.Flatten(model.Buffers))
            .Concat(TestEpisodes.Flatten(model.Generators.Select(g => g.get_state())))
            .ToArray();
    }

    /// <summary>One meta-training step: the meta-gradient, then plain SGD on the meta-parameters (Reptile applies its own update).</summary>
    public static void TrainStep(IMetaAlgorithm learner, Episode episode)
    {
        learner.AccumulateMetaGradient(new[] { episode }, 0);
        using var noGrad = no_grad();
        using var step = (-0.05).ToScalar();
        foreach (var p in learner.MetaParameters)
        {
            if (p.grad is { } grad)
            {
                p.add_(grad, step);
                grad.zero_();
            }
        }
    }

    /// <summary>Seeded values in place of the module's global-generator initialisation (so the tests need no global seed).</summary>
    private static void Reinitialise(FunctionalModel model, int seed)
    {
        using var generator = new Generator((ulong)seed + 100);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (p, name) in model.Parameters.Zip(model.ParameterNames))
        {
            var values = name.StartsWith("norm", StringComparison.Ordinal) && name.EndsWith("weight", StringComparison.Ordinal)
                ? empty(p.shape, dtype: ScalarType.Float64).uniform_(0.5, 1.5, generator: generator)
                : empty(p.shape, dtype: ScalarType.Float64).uniform_(-0.5, 0.5, generator: generator);
            p.copy_(values);
        }
    }
}
