using MetaLearn.Algorithms;
using MetaLearn.Evaluation;
using MetaLearn.Models;
using static TorchSharp.torch;
using MetaLearn.Tasks;

namespace MetaLearn.Tests.Algorithms;

public sealed class MamlTests
{
    private static readonly InnerLoopOptions TwoSteps = new() { Steps = 2, StepSize = 0.05, TaskBatching = false };

    [Fact]
    public void AccumulateMetaGradient_SecondOrder_MatchesCentralFiniteDifferences()
    {
        using var model = TestEpisodes.TinyRegressor();
        using var maml = new Maml(model, TwoSteps);
        using var episode = TestEpisodes.Sine(3);

        maml.AccumulateMetaGradient(new[] { episode }, iteration: 0);
        double[] analytic = TestEpisodes.Grads(model.Parameters);

        double[] numeric = FiniteDifferences.Central(model.Parameters, () => Evaluator.Score(maml, episode).Loss);
        TestEpisodes.MaxRelativeError(analytic, numeric).Should().BeLessThan(1e-4);
    }

    [Fact]
    public void AccumulateMetaGradient_FirstOrder_EqualsQueryGradientAtAdaptedWeights_AndDiffersFromSecondOrder()
    {
        using var model = TestEpisodes.TinyRegressor();
        using var episode = TestEpisodes.Sine(4);
        using var firstOrder = Maml.FirstOrder(model, TwoSteps);
        firstOrder.AccumulateMetaGradient(new[] { episode }, 0);
        double[] fo = TestEpisodes.Grads(model.Parameters);
        TestEpisodes.ZeroGrads(model.Parameters);

        // The query-loss gradient at the adapted weights, with the adapted weights as leaves.
        double[] expected;
        using (var scope = NewDisposeScope())
        {
            var weights = model.Parameters.Select(p => p.detach().clone()).ToArray();
            for (int step = 0; step < 2; step++)
            {
                var leaves = weights.Select(w => w.detach().requires_grad_(true)).ToArray();
                var loss = nn.functional.mse_loss(model.Forward(episode.SupportInputs.Select(x => x.to(ScalarType.Float64)).ToArray(), leaves, default), episode.SupportTargets.to(ScalarType.Float64));
                var grads = autograd.grad(new[] { loss }, leaves);
                weights = leaves.Zip(grads).Select(p => (p.First - (p.Second * 0.05)).detach()).ToArray();
            }

            var adapted = weights.Select(w => w.requires_grad_(true)).ToArray();
            var queryLoss = nn.functional.mse_loss(model.Forward(episode.QueryInputs.Select(x => x.to(ScalarType.Float64)).ToArray(), adapted, default), episode.QueryTargets.to(ScalarType.Float64));
            expected = TestEpisodes.Flatten(autograd.grad(new[] { queryLoss }, adapted));
        }

        using var secondOrder = new Maml(model, TwoSteps);
        secondOrder.AccumulateMetaGradient(new[] { episode }, 0);
        double[] so = TestEpisodes.Grads(model.Parameters);

        TestEpisodes.MaxRelativeError(fo, expected).Should().BeLessThan(1e-10);
        TestEpisodes.MaxRelativeError(fo, so).Should().BeGreaterThan(1e-3, "second-order terms change the meta-gradient");
    }

    [Fact]
    public void AccumulateMetaGradient_DerivativeOrderAnnealing_IsFirstOrderBeforeTheThreshold()
    {
        using var model = TestEpisodes.TinyRegressor();
        using var episode = TestEpisodes.Sine(5);
        using var annealed = new Maml(model, TwoSteps with { FirstOrderIterations = 10 });
        using var firstOrder = Maml.FirstOrder(model, TwoSteps);
        using var secondOrder = new Maml(model, TwoSteps);

        double[] Grad(IMetaAlgorithm a, int iteration)
        {
            TestEpisodes.ZeroGrads(model.Parameters);
            a.AccumulateMetaGradient(new[] { episode }, iteration);
            return TestEpisodes.Grads(model.Parameters);
        }

        Grad(annealed, 3).Should().Equal(Grad(firstOrder, 3));
        Grad(annealed, 10).Should().Equal(Grad(secondOrder, 10));
    }

    [Fact]
    public void PredictQuery_LeavesSharedParametersUntouched_AndAdaptationLowersSupportLoss()
    {
        using var model = TestEpisodes.TinyRegressor();
        using var maml = new Maml(model, new InnerLoopOptions { Steps = 5, StepSize = 0.02 });
        using var episode = TestEpisodes.Sine(6);
        double[] before = TestEpisodes.Flatten(model.Parameters);

        // Scoring the support set as the query: the loss after adaptation versus before.
        using var onSupport = new Episode(episode.SupportInput.clone(), episode.SupportTargets.clone(), episode.SupportInput.clone(), episode.SupportTargets.clone(), episode.Info);
        double adaptedLoss = Evaluator.Score(maml, onSupport).Loss;
        double initialLoss;
        using (var scope = NewDisposeScope())
        {
            initialLoss = nn.functional.mse_loss(model.Forward(episode.SupportInput.to(ScalarType.Float64)), episode.SupportTargets.to(ScalarType.Float64)).ToDouble();
        }

        adaptedLoss.Should().BeLessThan(initialLoss);
        TestEpisodes.Flatten(model.Parameters).Should().Equal(before);
        model.Parameters.Select(p => p.grad).Should().OnlyContain(g => ReferenceEquals(g, null) || g.abs().sum().ToDouble() == 0);
    }

    [Fact]
    public void AccumulateMetaGradient_AfterWarmUp_LeavesNoTensorAlive()
    {
        using var model = TestEpisodes.TinyRegressor(dtype: ScalarType.Float32);
        using var maml = new Maml(model, TwoSteps with { TaskBatching = true });
        var episodes = Enumerable.Range(0, 4).Select(i => TestEpisodes.Sine(i)).ToArray();
        maml.AccumulateMetaGradient(episodes, 0);
        maml.PredictQuery(episodes[0]).Dispose();
        long live = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        maml.AccumulateMetaGradient(episodes, 1);
        maml.AccumulateMetaGradient(episodes.Take(1).ToArray(), 2);
        maml.PredictQuery(episodes[1]).Dispose();

        TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(live);
        foreach (var e in episodes)
        {
            e.Dispose();
        }
    }

    [Fact]
    public void AccumulateMetaGradient_LearnedPerStepStepSizes_MatchCentralFiniteDifferences()
    {
        using var model = TestEpisodes.TinyRegressor(seed: 4);
        using var maml = new Maml(model, TwoSteps with { StepSizes = StepSizeMode.PerParameterPerStep });
        using var episode = TestEpisodes.Sine(12);
        using (no_grad())
        {
            // Different step sizes per parameter and step, so a mix-up of the (parameter, step) indexing shows.
            foreach (var (alpha, i) in maml.LearnedStepSizes.Select((a, i) => (a, i)))
            {
                alpha.copy_(tensor(new[] { 0.02 + (0.01 * i), 0.07 - (0.005 * i) }, dtype: ScalarType.Float64));
            }
        }

        maml.AccumulateMetaGradient(new[] { episode }, 0);
        double[] analytic = TestEpisodes.Grads(maml.MetaParameters);

        double[] numeric = FiniteDifferences.Central(maml.MetaParameters, () => Evaluator.Score(maml, episode).Loss);

        maml.LearnedStepSizes.Should().AllSatisfy(a => a.shape.Should().Equal(2));
        TestEpisodes.Grads(maml.LearnedStepSizes).Should().OnlyContain(g => g != 0);
        TestEpisodes.MaxRelativeError(analytic, numeric).Should().BeLessThan(1e-5);
    }

    /// <summary>
    /// Through per-step batch norm in each mode; in Support mode the query is normalised with the support set's
    /// statistics under the adapted weights, so the meta-gradient also flows through those statistics.
    /// </summary>
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(BatchNormStatistics.Support)]
    [InlineData(BatchNormStatistics.Running)]
    [InlineData(BatchNormStatistics.Transductive)]
    public void AccumulateMetaGradient_Conv4PerStepBatchNorm_SecondOrder_MatchesCentralFiniteDifferences(BatchNormStatistics statistics)
    {
        using var model = new Conv4(new Conv4Options { Ways = 3, Channels = 2, ImageSize = 8, Blocks = 2, BatchNormSets = 2, BatchNormStatistics = statistics, Seed = 6, DType = ScalarType.Float64 });
        using var maml = new Maml(model, new InnerLoopOptions { Steps = 2, StepSize = 0.1, TaskBatching = false });
        using var generator = new Generator(21);
        using var episode = new Episode(
            randn(new long[] { 6, 1, 8, 8 }, dtype: ScalarType.Float64, generator: generator), tensor(new long[] { 0, 1, 2, 0, 1, 2 }),
            randn(new long[] { 6, 1, 8, 8 }, dtype: ScalarType.Float64, generator: generator), tensor(new long[] { 2, 1, 0, 0, 1, 2 }),
            new EpisodeInfo(3, 2, 2, 21));

        maml.AccumulateMetaGradient(new[] { episode }, 0);
        double[] analytic = TestEpisodes.Grads(model.Parameters);


        // MAML++: one set per inner step; step 0's support pass uses set 0, step 1's support pass and the query after it set 1.
        model.ParameterNames.Should().Contain("block0.norm.step1.scale").And.NotContain(n => n.Contains("step2"));
        foreach (string set in new[] { "step0", "step1" })
        {
            int index = model.ParameterNames.ToList().IndexOf($"block1.norm.{set}.scale");
            model.Parameters[index].grad!.abs().sum().ToDouble().Should().BeGreaterThan(0);
        }

        double[] numeric = FiniteDifferences.Central(model.Parameters, () => TestEpisodes.TrainingQueryLoss(maml, episode));
        TestEpisodes.MaxRelativeError(analytic, numeric).Should().BeLessThan(1e-5);
    }
}
