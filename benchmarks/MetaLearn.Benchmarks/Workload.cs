using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Sampling;

namespace MetaLearn.Benchmarks;

/// <summary>What a workload's final_metric is.</summary>
internal enum FinalMetric
{
    /// <summary>No metric (timing only): nan.</summary>
    None,

    /// <summary>Mean query loss after adaptation over 200 fresh tasks.</summary>
    QueryLoss,

    /// <summary>Mean query accuracy after adaptation over 200 fresh tasks.</summary>
    QueryAccuracy,
}

/// <summary>One workload of WORKLOADS.md: model, inner loop, meta-batch, task distribution and metric.</summary>
internal sealed record Workload(
    string Name,
    Func<IFunctionalModel> CreateModel,
    InnerLoopOptions Inner,
    int MetaBatchSize,
    Func<ITaskSampler> CreateSampler,
    FinalMetric Metric,
    bool ReducedIterations = false,
    Func<IFunctionalModel, bool, IMetaAlgorithm>? CreateAlgorithm = null)
{
    /// <summary>Outer Adam learning rate of every workload.</summary>
    public const double OuterLearningRate = 1e-3;

    /// <summary>Fresh tasks the final metric is computed on.</summary>
    public const int EvaluationTasks = 200;

    public static Workload SineMaml { get; } = new(
        "sine-maml",
        () => new Mlp(new MlpOptions { LayerSizes = new[] { 1, 40, 40, 1 } }),
        new InnerLoopOptions { Steps = 1, StepSize = 0.01, FirstOrder = false },
        MetaBatchSize: 25,
        () => new SinusoidTaskSampler(new SinusoidTaskOptions { Shots = 10, Queries = 10 }),
        FinalMetric.QueryLoss);

    public static Workload OmniglotConv4Maml { get; } = new(
        "omniglot-conv4-maml",
        () => new Conv4(new Conv4Options { Ways = 5, Channels = 64, InputChannels = 1, ImageSize = 28, Blocks = 4, BatchNormSets = 1, BatchNormStatistics = BatchNormStatistics.Transductive }),
        new InnerLoopOptions { Steps = 1, StepSize = 0.4, FirstOrder = false },
        MetaBatchSize: 32,
        () => new RandomImageTaskSampler(ways: 5, shots: 1, queries: 15, channels: 1, size: 28),
        FinalMetric.None,
        ReducedIterations: true);

    public static Workload MakeClassMaml { get; } = new(
        "makeclass-maml",
        () => new Mlp(new MlpOptions { LayerSizes = new[] { 20, 64, 64, 3 } }),
        new InnerLoopOptions { Steps = 5, StepSize = 0.1, FirstOrder = false },
        MetaBatchSize: 16,
        () => new MakeClassificationTaskSampler(MakeClassificationTaskOptions.Workload),
        FinalMetric.QueryAccuracy);

    /// <summary>Every workload of WORKLOADS.md, in the reference's order.</summary>
    public static IReadOnlyList<Workload> All { get; } = new[] { SineMaml, OmniglotConv4Maml, MakeClassMaml };

    /// <summary>
    /// The sine and makeclass workloads (same tasks, meta-batch, outer Adam, metric) run by the algorithms added after
    /// MAML: iMAML (10 proximal steps at the workload's step size, λ 10, 5 CG steps), CAVIA (5 context parameters
    /// appended to the input, 1 context step at 1.0 for sine, the workload's steps at 1.0 for makeclass), R2D2 (the MLP
    /// without its last layer as embedding), and MAML with the momentum and Adam inner optimizers (otherwise the workload's inner loop).
    /// </summary>
    public static IReadOnlyList<Workload> Algorithms { get; } = new[]
    {
        SineMaml.WithAlgorithm("sine-imaml", m => m, (model, perTask) => new Imaml(model, ImamlFor(SineMaml, perTask))),
        SineMaml.WithAlgorithm("sine-cavia", CaviaInput, (model, perTask) => new Cavia(model, new CaviaOptions { InnerSteps = 1, InnerStepSize = 1.0, TaskBatching = !perTask })),
        SineMaml with { Name = "sine-maml-momentum", Inner = SineMaml.Inner with { UpdateRule = InnerUpdateRule.Momentum } },
        SineMaml with { Name = "sine-maml-adam", Inner = SineMaml.Inner with { UpdateRule = InnerUpdateRule.Adam } },
        MakeClassMaml.WithAlgorithm("makeclass-imaml", m => m, (model, perTask) => new Imaml(model, ImamlFor(MakeClassMaml, perTask))),
        MakeClassMaml.WithAlgorithm("makeclass-cavia", CaviaInput, (model, perTask) => new Cavia(model, new CaviaOptions { InnerSteps = MakeClassMaml.Inner.Steps, InnerStepSize = 1.0, TaskBatching = !perTask })),
        MakeClassMaml with
        {
            Name = "makeclass-r2d2",
            CreateModel = () => new Mlp(new MlpOptions { LayerSizes = new[] { 20, 64, 64 } }),
            CreateAlgorithm = (model, perTask) => new R2D2(model, new R2D2Options { TaskBatching = !perTask }),
        },
        MakeClassMaml with { Name = "makeclass-maml-momentum", Inner = MakeClassMaml.Inner with { UpdateRule = InnerUpdateRule.Momentum } },
        MakeClassMaml with { Name = "makeclass-maml-adam", Inner = MakeClassMaml.Inner with { UpdateRule = InnerUpdateRule.Adam } },
    };

    /// <summary>The algorithm this workload meta-trains (MAML with <see cref="Inner"/> unless the workload says otherwise).</summary>
    public IMetaAlgorithm Algorithm(IFunctionalModel model, bool perTask) =>
        CreateAlgorithm?.Invoke(model, perTask) ?? new Maml(model, Inner with { TaskBatching = !perTask });

    /// <summary>
    /// The same workload on the model converted from TorchSharp modules: the built-in model is exported with
    /// <see cref="FunctionalModel.ToModule"/> (an <c>nn.Sequential</c> of Linear/ReLU, or of Conv4's conv/batch-norm/ReLU/pool
    /// blocks, with the same initial weights) and converted back with <see cref="FunctionalModel.FromModule"/>, as a user's
    /// own network would be. Its name ends in <c>-converted</c>.
    /// </summary>
    public Workload Converted() => this with
    {
        Name = Name + "-converted",
        CreateModel = () =>
        {
            using var builtIn = (FunctionalModel)CreateModel();
            using var module = builtIn.ToModule();
            var statistics = builtIn.UsesBatchNormStatistics(BatchNormStatistics.Transductive) ? BatchNormStatistics.Transductive : BatchNormStatistics.Support;
            return FunctionalModel.FromModule(module, new ModuleConversionOptions { BatchNormStatistics = statistics });
        },
    };

    private static ImamlOptions ImamlFor(Workload w, bool perTask) =>
        new() { InnerSteps = 10, InnerStepSize = w.Inner.StepSize, Regularization = 10, ConjugateGradientSteps = 5, TaskBatching = !perTask };

    /// <summary>The same MLP with <see cref="CaviaOptions.ContextSize"/> more inputs.</summary>
    private static Func<IFunctionalModel> CaviaInput(Func<IFunctionalModel> create) => () =>
    {
        using var original = (Mlp)create();
        var sizes = original.Options.LayerSizes.ToArray();
        sizes[0] += new CaviaOptions().ContextSize;
        return new Mlp(original.Options with { LayerSizes = sizes });
    };

    private Workload WithAlgorithm(string name, Func<Func<IFunctionalModel>, Func<IFunctionalModel>> model, Func<IFunctionalModel, bool, IMetaAlgorithm> algorithm) =>
        this with { Name = name, CreateModel = model(CreateModel), CreateAlgorithm = algorithm };

    /// <summary>
    /// Timed meta-iterations for a requested count: the omniglot workload runs max(3, N/10), like the reference.
    /// </summary>
    public int IterationsFor(int requested) => ReducedIterations ? Math.Max(3, requested / 10) : requested;
}
