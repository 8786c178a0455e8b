using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Tasks;
using MetaLearn.Training;

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
        var progress = new Progress(p =>
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

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
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
