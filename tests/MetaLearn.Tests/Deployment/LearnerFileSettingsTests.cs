using System.Reflection;
using MetaLearn.Algorithms;
using MetaLearn.Deployment;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Deployment;

/// <summary>Everything that changes a prediction is written: every option of every options record, buffers, generator states.</summary>
public sealed class LearnerFileSettingsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("metalearn-settings-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The options records a learner file holds.</summary>
    public static TheoryData<Type> OptionsTypes() => new(
        typeof(InnerLoopOptions), typeof(ReptileOptions), typeof(ImamlOptions), typeof(CaviaOptions), typeof(R2D2Options), typeof(MlpOptions), typeof(Conv4Options));

    [Theory]
    [MemberData(nameof(OptionsTypes))]
    public void OptionsJson_EveryPropertyAwayFromItsDefault_IsWrittenAndReadBack(Type type)
    {
        object defaults = Activator.CreateInstance(type)!;
        object options = Activator.CreateInstance(type)!;
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.PropertyType != typeof(Device))
            .ToArray();
        foreach (var p in properties)
        {
            p.SetValue(options, AwayFromDefault(type, p, p.GetValue(defaults)));
        }

        var json = OptionsJson.Write(options);
        object read = typeof(OptionsJson).GetMethod(nameof(OptionsJson.Read))!.MakeGenericMethod(type)
            .Invoke(null, new object[] { new ManifestObject(json, "options") })!;

        json.Count.Should().Be(properties.Length, "one key per option");
        foreach (var p in properties)
        {
            Same(p.GetValue(options), p.GetValue(defaults)).Should().BeFalse($"{p.Name} was set away from its default");
            Same(p.GetValue(read), p.GetValue(options)).Should().BeTrue($"{type.Name}.{p.Name} is written and read back");
        }
    }

    [Theory]
    [InlineData(InnerUpdateRule.Momentum)]
    [InlineData(InnerUpdateRule.Adam)]
    public void SaveThenLoad_MetaTrainedWithAnInnerOptimizer_PredictsAsTheSavedLearner(InnerUpdateRule rule)
    {
        var tasks = new GaussianClassificationTaskSampler(new GaussianClassificationTaskOptions { Ways = 3, Features = 4 });
        var inner = new InnerLoopOptions { Steps = 3, StepSize = 0.05, UpdateRule = rule, Momentum = 0.8, AdamBeta1 = 0.85, AdamBeta2 = 0.99, AdamEpsilon = 1e-6 };
        using var model = new Mlp(new MlpOptions { LayerSizes = new[] { 4, 16, 3 }, Seed = 3 });
        using var maml = new Maml(model, inner);
        using (var trainer = new MetaTrainer(maml, new MetaTrainerOptions { Iterations = 20, MetaBatchSize = 4, Seed = 1 }))
        {
            trainer.Train(tasks);
        }

        using var episode = tasks.Sample(99);
        float[] expected = Probabilities(maml, episode);
        string path = Path.Combine(_directory, $"{rule}.metalearn");

        LearnerFile.Save(maml, path);
        using var loaded = LearnerFile.Load(path);

        ((Maml)loaded.Algorithm).Options.Should().BeEquivalentTo(inner, o => o.Excluding(x => x.Loss));
        TestEpisodes.MaxRelativeError(Probabilities(loaded.Algorithm, episode).Select(v => (double)v).ToArray(), expected.Select(v => (double)v).ToArray())
            .Should().BeLessThan(1e-5);
        using var asSgd = new Maml(loaded.Model, inner with { UpdateRule = InnerUpdateRule.Sgd });
        Probabilities(asSgd, episode).Zip(expected, (a, b) => Math.Abs(a - b)).Max().Should().BeGreaterThan(1e-3f, "the update rule changes the predictions, so a lost rule would show");
    }

    [Fact]
    public void SaveThenLoad_Conv4KeepingRunningStatistics_RestoresThemAndItsEvaluationOutputs()
    {
        using var model = new Conv4(new Conv4Options { Ways = 3, Channels = 4, ImageSize = 8, Blocks = 2, BatchNormStatistics = BatchNormStatistics.Running, Seed = 2 });
        MoveRunningStatistics(model, new[] { 1, 8, 8 });
        using var maml = new Maml(model);
        string path = Path.Combine(_directory, "conv4.metalearn");

        LearnerFile.Save(maml, path);
        using var loaded = LearnerFile.Load(path);

        ((Conv4)loaded.Model).Options.BatchNormStatistics.Should().Be(BatchNormStatistics.Running);
        loaded.Model.BufferNames.Should().Equal(model.BufferNames);
        TestEpisodes.Flatten(loaded.Model.Buffers).Should().Equal(TestEpisodes.Flatten(model.Buffers));
        TestEpisodes.Flatten(model.Buffers).Should().Contain(v => v != 0 && v != 1, "the statistics moved away from their initial values");
        EvaluationOutput(loaded.Model, new[] { 4L, 1, 8, 8 }).Should().Equal(EvaluationOutput(model, new[] { 4L, 1, 8, 8 }));
    }

    [Fact]
    public void SaveThenLoad_ModelWithDropout_RestoresItsGeneratorState()
    {
        ModelArchitectures.RegisterModule("test-dropout", () => DropoutModule(4, 3));
        using var model = FunctionalModel.FromModule(DropoutModule(4, 3));
        using (var scope = NewDisposeScope())
        {
            model.Forward(new[] { randn(8, 4) }, model.Parameters, default);
        }

        using var maml = new Maml(model);
        string path = Path.Combine(_directory, "dropout.metalearn");

        LearnerFile.Save(maml, path, architecture: ModelArchitectures.Module("test-dropout"));
        using var loaded = LearnerFile.Load(path);

        GeneratorState(loaded.Model).Should().Equal(GeneratorState(model));
        using var fresh = FunctionalModel.FromModule(DropoutModule(4, 3));
        GeneratorState(fresh).Should().NotEqual(GeneratorState(model), "the mask drawn before saving advanced the generator");
    }

    [Fact]
    public void SaveThenLoad_ConvertedModuleWithTransductiveBatchNorm_KeepsItsConversionOptions()
    {
        static nn.Module Create() => nn.Sequential(("fc", nn.Linear(4, 8)), ("norm", nn.BatchNorm1d(8, track_running_stats: false)), ("out", nn.Linear(8, 3)));
        ModelArchitectures.RegisterModule("test-untracked", Create);
        var conversion = new ModuleConversionOptions { BatchNormStatistics = BatchNormStatistics.Transductive, Seed = 4, TaskBatching = false };
        using var module = Create();
        using var model = FunctionalModel.FromModule(module, conversion);
        using var maml = new Maml(model);
        var tasks = new GaussianClassificationTaskSampler(new GaussianClassificationTaskOptions { Ways = 3, Features = 4 });
        using var episode = tasks.Sample(5);
        string path = Path.Combine(_directory, "untracked.metalearn");

        LearnerFile.Save(maml, path, architecture: ModelArchitectures.Module("test-untracked"));
        using var loaded = LearnerFile.Load(path);

        ((ConvertedModel)loaded.Model).ConversionOptions.Should().Be(conversion);
        Probabilities(loaded.Algorithm, episode).Should().Equal(Probabilities(maml, episode));
        using var byRegistration = ModelArchitectures.Module("test-untracked").Build();
        ((ConvertedModel)byRegistration).ConversionOptions.BatchNormStatistics.Should().Be(BatchNormStatistics.Support, "the registration's options are the defaults, so only the file says Transductive");
    }

    [Fact]
    public void SaveThenLoad_LateFusionWithABatchNormBranch_RestoresEveryBranchsState()
    {
        using var model = new LateFusion(new IFunctionalModel[]
        {
            new Conv4(new Conv4Options { Ways = 3, Channels = 4, ImageSize = 8, Blocks = 2, BatchNormStatistics = BatchNormStatistics.Running, Seed = 2 }),
            new Mlp(new MlpOptions { LayerSizes = new[] { 5, 8, 3 }, Seed = 3 }),
        }, ownsModels: true);
        MoveRunningStatistics((Conv4)model.Branches[0], new[] { 1, 8, 8 });
        using var maml = new Maml(model);
        string path = Path.Combine(_directory, "late.metalearn");

        LearnerFile.Save(maml, path);
        using var loaded = LearnerFile.Load(path);

        loaded.Architecture.Kind.Should().Be("late-fusion");
        loaded.Model.ParameterNames.Should().Equal(model.ParameterNames);
        loaded.Model.BufferNames.Should().Equal(model.BufferNames).And.Contain("branch0.block1.norm.running_var");
        TestEpisodes.Flatten(loaded.Model.Buffers).Should().Equal(TestEpisodes.Flatten(model.Buffers));
        GeneratorState(loaded.Model).Should().Equal(GeneratorState(model));
    }

    [Fact]
    public void SaveThenLoad_FeatureFusionWithAConvertedEncoder_NeedsAndUsesItsExplicitArchitecture()
    {
        ModelArchitectures.RegisterModule("test-dropout-encoder", () => DropoutModule(6, 5));
        using var model = new FeatureFusion(
            new IFunctionalModel[] { new Mlp(new MlpOptions { LayerSizes = new[] { 4, 5 }, Seed = 1 }), FunctionalModel.FromModule(DropoutModule(6, 5)) },
            new MlpOptions { LayerSizes = new[] { 10, 3 }, Seed = 2 }, ownsModels: true);
        using (var scope = NewDisposeScope())
        {
            model.Forward(new[] { randn(8, 4), randn(8, 6) }, model.Parameters, default);
        }

        using var maml = new Maml(model);
        string path = Path.Combine(_directory, "feature.metalearn");

        var byType = () => LearnerFile.Save(maml, path);
        byType.Should().Throw<NotSupportedException>().WithMessage("*no model kind describes it*");
        var architecture = ModelArchitectures.FeatureFusion(
            new[] { ModelArchitecture.Of(model.Encoders[0]), ModelArchitectures.Module("test-dropout-encoder") },
            ModelArchitecture.Of(model.Head));
        LearnerFile.Save(maml, path, architecture: architecture);
        using var loaded = LearnerFile.Load(path);

        loaded.Model.BufferNames.Should().Equal("encoder1.norm.running_mean", "encoder1.norm.running_var", "encoder1.norm.num_batches_tracked");
        TestEpisodes.Flatten(loaded.Model.Parameters).Should().Equal(TestEpisodes.Flatten(model.Parameters));
        TestEpisodes.Flatten(loaded.Model.Buffers).Should().Equal(TestEpisodes.Flatten(model.Buffers));
        GeneratorState(loaded.Model).Should().Equal(GeneratorState(model));
    }

    /// <summary>A value of <paramref name="p"/>'s type that its setter accepts and that differs from <paramref name="current"/>.</summary>
    private static object? AwayFromDefault(Type owner, PropertyInfo p, object? current)
    {
        var type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
        IEnumerable<object?> candidates = current switch
        {
            bool b => new object[] { !b },
            int i => new object[] { i + 1, i + 2, 1, 3 },
            double d => new object[] { d * 0.5, d * 0.5 + 0.1, 0.37, 0.05 },
            ScalarType => new object[] { ScalarType.Float64 },
            Enum e => Enum.GetValues(type).Cast<object>().Where(v => !v.Equals(e)),
            Loss => new object[] { Loss.CrossEntropy(0.15), Loss.Huber(0.7) },
            IReadOnlyList<int> => new object[] { new[] { 3, 7, 2 } },
            null when type == typeof(int) => new object[] { 3 },
            null when type == typeof(double) => new object[] { 0.37 },
            null when type == typeof(bool) => new object[] { true },
            _ => throw new InvalidOperationException($"No value away from the default of {p.DeclaringType!.Name}.{p.Name} ({p.PropertyType.Name}); extend this test."),
        };
        foreach (object? candidate in candidates)
        {
            object probe = Activator.CreateInstance(owner)!;
            try
            {
                p.SetValue(probe, candidate);
                if (!Same(candidate, current))
                {
                    return candidate;
                }
            }
            catch (TargetInvocationException e) when (e.InnerException is ArgumentException)
            {
            }
        }

        throw new InvalidOperationException($"{p.DeclaringType!.Name}.{p.Name} accepts none of this test's values away from {current}; extend this test.");
    }

    private static bool Same(object? a, object? b) => (a, b) switch
    {
        (Loss x, Loss y) => x.Name == y.Name && x.Kind == y.Kind && x.Argument.Equals(y.Argument),
        (IReadOnlyList<int> x, IReadOnlyList<int> y) => x.SequenceEqual(y),
        _ => Equals(a, b),
    };

    private static float[] Probabilities(IMetaAlgorithm algorithm, MetaLearn.Tasks.Episode episode)
    {
        using var adapted = algorithm.Adapt(episode.SupportInputs, episode.SupportTargets);
        using var probabilities = adapted.PredictProbabilities(episode.QueryInputs[0]);
        return probabilities.data<float>().ToArray();
    }

    /// <summary>Runs training-mode passes so batch norm's running statistics move away from 0 and 1.</summary>
    private static void MoveRunningStatistics(FunctionalModel model, int[] shape)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < 3; i++)
        {
            using var shift = (0.5 * (i + 1)).ToScalar();
            model.Forward(new[] { randn(new long[] { 6 }.Concat(shape.Select(s => (long)s)).ToArray()).add_(shift) }, model.Parameters, default);
        }
    }

    private static float[] EvaluationOutput(IFunctionalModel model, long[] shape)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var images = rand(shape, generator: new Generator(7));
        return model.Forward(new[] { images }, model.Parameters, new ForwardContext { Training = false }).data<float>().ToArray();
    }

    private static byte[] GeneratorState(IFunctionalModel model)
    {
        using var scope = NewDisposeScope();
        return model.Generators.SelectMany(g => g.get_state().data<byte>().ToArray()).ToArray();
    }

    private static nn.Module DropoutModule(int features, int outputs) => nn.Sequential(
        ("fc", nn.Linear(features, 8)), ("norm", nn.BatchNorm1d(8)), ("relu", nn.ReLU()), ("drop", nn.Dropout(0.3)), ("out", nn.Linear(8, outputs)));
}
