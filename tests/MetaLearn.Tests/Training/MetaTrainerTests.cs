using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Tasks;
using MetaLearn.Training;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Training;

public sealed class MetaTrainerTests
{
    private static readonly MetaTrainerOptions Small = new() { Iterations = 15, MetaBatchSize = 4, OuterLearningRate = 0.01, Seed = 11 };

    [Fact]
    public void Train_SameSeed_GivesIdenticalLossesAndParameters()
    {
        var (lossesA, paramsA) = TrainSine(Small);
        var (lossesB, paramsB) = TrainSine(Small);
        var (lossesC, _) = TrainSine(Small with { Seed = 12 });

        lossesA.Should().Equal(lossesB);
        paramsA.Should().Equal(paramsB);
        lossesC.Should().NotEqual(lossesA);
    }

    [Fact]
    public void Train_WithAndWithoutPrefetch_GivesIdenticalLosses()
    {
        var (prefetched, _) = TrainSine(Small with { PrefetchBatches = 3 });
        var (inline, _) = TrainSine(Small with { PrefetchBatches = 0 });

        prefetched.Should().Equal(inline);
    }

    [Fact]
    public void Train_SamplerFailsOnThePrefetchThread_RethrowsItWithItsOriginalStackTrace()
    {
        using var model = new Mlp(MlpOptions.WithLayers(1, 8, 1));
        using var maml = new Maml(model);
        using var trainer = new MetaTrainer(maml, Small with { Iterations = 10, PrefetchBatches = 2 });

        var act = () => trainer.Train(new FailingSampler(failFrom: 5 * Small.MetaBatchSize));

        var thrown = act.Should().Throw<FormatException>().WithMessage("episode * is broken").Which;
        thrown.StackTrace.Should().Contain(nameof(FailingSampler.Sample));
        trainer.Iteration.Should().Be(5);
    }

    [Fact]
    public void Train_TwoCallsOfHalfTheIterations_EqualOneCall()
    {
        var (whole, wholeParams) = TrainSine(Small with { Iterations = 10 });

        using var model = new Mlp(MlpOptions.WithLayers(1, 16, 16, 1));
        using var maml = new Maml(model);
        using var trainer = new MetaTrainer(maml, Small with { Iterations = 5 });
        var first = trainer.Train(new SinusoidTaskSampler());
        var second = trainer.Train(new SinusoidTaskSampler());

        trainer.Iteration.Should().Be(10);
        first.QueryLosses.Concat(second.QueryLosses).Should().Equal(whole);
        TestEpisodes.Flatten(model.Parameters).Should().Equal(wholeParams);
    }

    [Fact]
    public void Train_ReducesTheQueryLoss()
    {
        var (losses, _) = TrainSine(Small with { Iterations = 300, MetaBatchSize = 10, OuterLearningRate = 0.003 }, hidden: 40);

        losses.TakeLast(30).Average().Should().BeLessThan(0.8 * losses.Take(30).Average());
    }

    [Fact]
    public void Train_NonFiniteLoss_ThrowsNamingTheIteration()
    {
        using var model = new Mlp(MlpOptions.WithLayers(1, 16, 1));
        using var maml = new Maml(model);
        using var trainer = new MetaTrainer(maml, Small);

        var act = () => trainer.Train(new PoisonedSampler(poisonFrom: 3));

        act.Should().Throw<InvalidOperationException>().WithMessage("Meta-iteration 3: the mean query loss is NaN*NonFiniteLossPolicy.SkipBatch*");
    }

    [Fact]
    public void Train_NonFiniteLossWithSkipPolicy_SkipsTheBatchAndKeepsParametersFinite()
    {
        using var model = new Mlp(MlpOptions.WithLayers(1, 16, 1));
        using var maml = new Maml(model);
        using var trainer = new MetaTrainer(maml, Small with { Iterations = 8, NonFiniteLoss = NonFiniteLossPolicy.SkipBatch });

        var result = trainer.Train(new PoisonedSampler(poisonFrom: 3, poisonUntil: 5));

        result.SkippedBatches.Should().Be(2);
        result.QueryLosses.Should().HaveCount(6).And.OnlyContain(l => double.IsFinite(l));
        TestEpisodes.Flatten(model.Parameters).Should().OnlyContain(v => double.IsFinite(v));
    }

    [Fact]
    public void Train_NonFiniteGradientWithoutClipping_ThrowsNamingTheParameter()
    {
        using var model = new Mlp(MlpOptions.WithLayers(1, 16, 1));
        using var maml = new Maml(model);
        using var poisoned = new GradientPoisoner(maml, poisonFrom: 2, poisonUntil: 3);
        using var trainer = new MetaTrainer(poisoned, Small with { Iterations = 5 });

        var act = () => trainer.Train(new SinusoidTaskSampler());

        act.Should().Throw<InvalidOperationException>().WithMessage("Meta-iteration 2: the meta-gradient of meta-parameter 0 [16, 1] is not finite*");
        trainer.Iteration.Should().Be(2);
        TestEpisodes.Flatten(model.Parameters).Should().OnlyContain(v => double.IsFinite(v));
    }

    [Fact]
    public void Train_NonFiniteGradientWithSkipPolicy_NeverStepsWithIt()
    {
        using var model = new Mlp(MlpOptions.WithLayers(1, 16, 1));
        using var maml = new Maml(model);
        using var poisoned = new GradientPoisoner(maml, poisonFrom: 1, poisonUntil: 4);
        using var trainer = new MetaTrainer(poisoned, Small with { Iterations = 6, NonFiniteLoss = NonFiniteLossPolicy.SkipBatch });

        var result = trainer.Train(new SinusoidTaskSampler());

        result.SkippedBatches.Should().Be(3);
        result.QueryLosses.Should().HaveCount(3);
        TestEpisodes.Flatten(model.Parameters).Should().OnlyContain(v => double.IsFinite(v));
    }

    [Fact]
    public void Train_OwnAlgorithmWithTheOneOverload_WithABatchSampler_GetsTheEpisodesOneByOneSamplingGives()
    {
        var options = Small with { Iterations = 6 };
        var seen = new List<int[]>();
        double[] ownLosses;
        double[] ownParameters;
        using (var model = new Mlp(MlpOptions.WithLayers(1, 16, 16, 1)))
        using (var maml = new Maml(model))
        using (var own = new EpisodesOnly(maml, seen))
        using (var trainer = new MetaTrainer(own, options))
        {
            ownLosses = trainer.Train(new SinusoidTaskSampler()).QueryLosses.ToArray();
            ownParameters = TestEpisodes.Flatten(model.Parameters);
        }

        // MAML itself, drawing the same seeds one episode at a time (no stacked batch).
        var expectedSeeds = new List<int[]>();
        double[] oneByOneLosses;
        double[] oneByOneParameters;
        using (var model = new Mlp(MlpOptions.WithLayers(1, 16, 16, 1)))
        using (var maml = new Maml(model))
        using (var trainer = new MetaTrainer(maml, options))
        {
            oneByOneLosses = trainer.Train(new RecordingSampler(new SinusoidTaskSampler(), expectedSeeds, options.MetaBatchSize)).QueryLosses.ToArray();
            oneByOneParameters = TestEpisodes.Flatten(model.Parameters);
        }

        seen.Should().HaveCount(options.Iterations);
        seen.Should().OnlyContain(seeds => seeds.Length == options.MetaBatchSize);
        seen.Should().BeEquivalentTo(expectedSeeds, o => o.WithStrictOrdering());
        ownLosses.Should().Equal(oneByOneLosses);
        ownParameters.Should().Equal(oneByOneParameters);
    }

    [Fact]
    public void Train_CosineAnnealingScheduler_SetsTheOuterLearningRateEachIteration()
    {
        using var model = new Mlp(MlpOptions.WithLayers(1, 16, 1));
        using var maml = new Maml(model);
        optim.Optimizer? outer = null;
        var options = Small with
        {
            Iterations = 12,
            OuterLearningRate = 0.01,
            ProgressInterval = 1,
            LearningRateScheduler = o => optim.lr_scheduler.CosineAnnealingLR(outer = o, T_max: 12, eta_min: 0.001),
        };
        using var trainer = new MetaTrainer(maml, options);
        var seen = new List<double>();

        trainer.Train(new SinusoidTaskSampler(), progress: TrainingProgress.Synchronous(_ => seen.Add(outer!.ParamGroups.Single().LearningRate)));

        var expected = Enumerable.Range(1, 12).Select(t => 0.001 + ((0.01 - 0.001) * (1 + Math.Cos(Math.PI * t / 12)) / 2));
        seen.Should().Equal(expected, (a, b) => Math.Abs(a - b) < 1e-12);
        seen[^1].Should().BeApproximately(0.001, 1e-12);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Train_SynchronousProgress_RunsOnTheTrainingThreadAfterEachReportedIterationBeforeTheNextStarts(int prefetch)
    {
        using var model = new Mlp(MlpOptions.WithLayers(1, 8, 1));
        using var maml = new Maml(model);
        using var trainer = new MetaTrainer(maml, Small with { Iterations = 7, ProgressInterval = 3, PrefetchBatches = prefetch });
        var seen = new List<(int Reported, int TrainerIteration, int Thread)>();

        trainer.Train(new SinusoidTaskSampler(), progress: TrainingProgress.Synchronous(p => seen.Add((p.Iteration, trainer.Iteration, Environment.CurrentManagedThreadId))));

        int thread = Environment.CurrentManagedThreadId;
        seen.Should().Equal((3, 3, thread), (6, 6, thread), (7, 7, thread));
    }

    [Fact]
    public void Synchronous_NullHandler_IsRefusedByName()
    {
        var act = () => TrainingProgress.Synchronous(null!);

        act.Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("handler");
    }

    [Fact]
    public void Train_WithValidation_RestoresTheBestParameters()
    {
        using var model = new Mlp(MlpOptions.WithLayers(1, 16, 1));
        using var maml = new Maml(model);
        var options = Small with { Iterations = 30, ValidationInterval = 10, ValidationEpisodes = 20 };
        using var trainer = new MetaTrainer(maml, options);
        var sampler = new SinusoidTaskSampler();

        var result = trainer.Train(sampler, sampler);

        result.BestValidation!.Episodes.Should().Be(20);
        result.BestIteration.Should().BeOneOf(10, 20, 30);
        var now = MetaLearn.Evaluation.Evaluator.Evaluate(maml, sampler, 20, Seeds.Derive(options.Seed, 1, 0));
        now.MeanLoss.Should().BeApproximately(result.BestValidation!.MeanLoss, 1e-9);
    }

    [Fact]
    public void Train_ValidationIntervalWithoutSampler_Throws()
    {
        using var model = new Mlp(MlpOptions.WithLayers(1, 4, 1));
        using var maml = new Maml(model);
        using var trainer = new MetaTrainer(maml, Small with { ValidationInterval = 5 });

        var act = () => trainer.Train(new SinusoidTaskSampler());

        act.Should().Throw<ArgumentException>().WithMessage("*no validation sampler*");
    }

    [Fact]
    public void Train_Cancelled_StopsWithOperationCanceled()
    {
        using var model = new Mlp(MlpOptions.WithLayers(1, 4, 1));
        using var maml = new Maml(model);
        using var trainer = new MetaTrainer(maml, Small with { Iterations = 1000 });
        using var cts = new CancellationTokenSource();
        var progress = TrainingProgress.Synchronous(p =>
        {
            if (p.Iteration >= 20)
            {
                cts.Cancel();
            }
        });

        var act = () => trainer.Train(new SinusoidTaskSampler(), progress: progress, cancellationToken: cts.Token);

        act.Should().Throw<OperationCanceledException>();
        trainer.Iteration.Should().BeInRange(20, 21);
    }

    [Fact]
    public void Train_ManyIterations_LeavesNoTensorAlive()
    {
        using var model = new Mlp(MlpOptions.WithLayers(1, 16, 1));
        using var maml = new Maml(model, new InnerLoopOptions { Steps = 2 });
        using var trainer = new MetaTrainer(maml, Small with { Iterations = 50, PrefetchBatches = 0 });
        var sampler = new SinusoidTaskSampler();
        trainer.Train(sampler);
        long live = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        trainer.Train(sampler);
        trainer.Train(sampler);

        TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(live);
    }

    [Fact]
    public void Options_Defaults_AndInvalidValues()
    {
        var o = new MetaTrainerOptions();
        o.Iterations.Should().Be(1000);
        o.MetaBatchSize.Should().Be(25);
        o.OuterLearningRate.Should().Be(1e-3);
        o.GradientClipNorm.Should().BeNull();
        o.ValidationInterval.Should().Be(0);
        o.ValidationEpisodes.Should().Be(100);
        o.RestoreBestParameters.Should().BeTrue();
        o.NonFiniteLoss.Should().Be(NonFiniteLossPolicy.Throw);
        o.PrefetchBatches.Should().Be(0);
        o.LearningRateScheduler.Should().BeNull();
        o.OptimizerFactory.Should().BeNull();
        ((Action)(() => _ = new MetaTrainerOptions { Iterations = 0 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new MetaTrainerOptions { MetaBatchSize = 0 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new MetaTrainerOptions { OuterLearningRate = -1 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*positive*");
        ((Action)(() => _ = new MetaTrainerOptions { GradientClipNorm = 0 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new MetaTrainerOptions { ValidationEpisodes = 1 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new MetaTrainerOptions { PrefetchBatches = -1 })).Should().Throw<ArgumentOutOfRangeException>();
    }

    private static (double[] Losses, double[] Parameters) TrainSine(MetaTrainerOptions options, int hidden = 16)
    {
        using var model = new Mlp(MlpOptions.WithLayers(1, hidden, hidden, 1));
        using var maml = new Maml(model);
        using var trainer = new MetaTrainer(maml, options);
        var result = trainer.Train(new SinusoidTaskSampler());
        return (result.QueryLosses.ToArray(), TestEpisodes.Flatten(model.Parameters));
    }

    /// <summary>Runs an algorithm, then writes NaN into the first meta-parameter's gradient in [poisonFrom, poisonUntil).</summary>
    private sealed class GradientPoisoner(IMetaAlgorithm inner, int poisonFrom, int poisonUntil) : IMetaAlgorithm
    {
        public string Name => inner.Name;

        public IFunctionalModel Model => inner.Model;

        public IReadOnlyList<TorchSharp.Modules.Parameter> MetaParameters => inner.MetaParameters;

        public MetaBatchResult AccumulateMetaGradient(IReadOnlyList<Episode> episodes, int iteration) => Poison(inner.AccumulateMetaGradient(episodes, iteration), iteration);

        public torch.Tensor PredictQuery(Episode episode) => inner.PredictQuery(episode);

        public void Dispose()
        {
        }

        private MetaBatchResult Poison(MetaBatchResult result, int iteration)
        {
            if (iteration >= poisonFrom && iteration < poisonUntil)
            {
                using var grad = MetaParameters[0].grad!;
                using var nan = double.NaN.ToScalar();
                grad.fill_(nan);
            }

            return result;
        }
    }

    /// <summary>An algorithm written outside MetaLearn: it implements the one meta-gradient overload, delegating to MAML, and records each meta-batch's seeds.</summary>
    private sealed class EpisodesOnly(IMetaAlgorithm inner, List<int[]> seen) : IMetaAlgorithm
    {
        public string Name => "own";

        public IFunctionalModel Model => inner.Model;

        public IReadOnlyList<TorchSharp.Modules.Parameter> MetaParameters => inner.MetaParameters;

        public MetaBatchResult AccumulateMetaGradient(IReadOnlyList<Episode> episodes, int iteration)
        {
            seen.Add(episodes.Select(e => e.Info.Seed).ToArray());
            return inner.AccumulateMetaGradient(episodes, iteration);
        }

        public void Dispose()
        {
        }
    }

    /// <summary>Draws one episode at a time (hiding the inner sampler's batch drawing), recording the seeds in meta-batches of <paramref name="metaBatchSize"/>.</summary>
    private sealed class RecordingSampler(ITaskSampler inner, List<int[]> seeds, int metaBatchSize) : ITaskSampler
    {
        private readonly List<int> _current = new();

        public Episode Sample(int seed)
        {
            _current.Add(seed);
            if (_current.Count == metaBatchSize)
            {
                seeds.Add(_current.ToArray());
                _current.Clear();
            }

            return inner.Sample(seed);
        }
    }

    /// <summary>Sinusoid tasks, except that the episodes from the <paramref name="failFrom"/>-th seed of the stream on throw a FormatException.</summary>
    private sealed class FailingSampler(int failFrom) : ITaskSampler
    {
        private readonly SinusoidTaskSampler _inner = new();
        private readonly HashSet<int> _broken = Enumerable.Range(failFrom, 1000).Select(i => Seeds.Derive(Small.Seed, 0, i)).ToHashSet();

        public Episode Sample(int seed) => _broken.Contains(seed) ? throw new FormatException($"episode {seed} is broken") : _inner.Sample(seed);
    }

    /// <summary>Sinusoid tasks whose targets are NaN for the meta-iterations in [poisonFrom, poisonUntil).</summary>
    private sealed class PoisonedSampler(int poisonFrom, int poisonUntil = int.MaxValue) : ITaskSampler
    {
        private readonly SinusoidTaskSampler _inner = new();
        private readonly HashSet<int> _poisoned = Enumerable.Range(0, 1000)
            .Where(i => i / Small.MetaBatchSize >= poisonFrom && i / Small.MetaBatchSize < poisonUntil)
            .Select(i => Seeds.Derive(Small.Seed, 0, i))
            .ToHashSet();

        public Episode Sample(int seed)
        {
            var e = _inner.Sample(seed);
            if (_poisoned.Contains(seed))
            {
                e.QueryTargets.fill_(double.NaN);
            }

            return e;
        }
    }
}
