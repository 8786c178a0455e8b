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

        double[] numeric = FiniteDifferences(model, () => Evaluator.Score(maml, episode).Loss);
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

    private static double[] FiniteDifferences(IFunctionalModel model, Func<double> loss)
    {
        const double h = 1e-6;
        var result = new List<double>();
        foreach (var p in model.Parameters)
        {
            var flat = p.detach().view(-1);
            for (long i = 0; i < flat.shape[0]; i++)
            {
                double original = flat[i].ToDouble();
                using (no_grad())
                {
                    flat[i] = original + h;
                }

                double plus = loss();
                using (no_grad())
                {
                    flat[i] = original - h;
                }

                double minus = loss();
                using (no_grad())
                {
                    flat[i] = original;
                }

                result.Add((plus - minus) / (2 * h));
            }
        }

        return result.ToArray();
    }
}
