using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Tasks;
using MetaLearn.Training;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

public sealed class ReptileTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OuterOptimizer_SgdStep_InterpolatesTowardsTheMeanAdaptedWeights(bool taskBatching)
    {
        const double epsilon = 0.25;
        var options = new ReptileOptions { Steps = 3, StepSize = 0.02, TaskBatching = taskBatching, OuterUpdate = ReptileOuterUpdate.OuterOptimizer };
        var episodes = new[] { TestEpisodes.Sine(1), TestEpisodes.Sine(2) };
        using var model = TestEpisodes.TinyRegressor();
        using var reptile = new Reptile(model, options);
        double[] theta = TestEpisodes.Flatten(model.Parameters);

        // φ_t: plain SGD on each task's support set, by hand.
        var phis = episodes.Select(e => AdaptBySgd(model, e, options)).ToArray();
        var expected = theta.Select((t, i) => t + (epsilon * ((phis[0][i] + phis[1][i]) / 2 - t))).ToArray();

        using var sgd = optim.SGD(reptile.MetaParameters, epsilon);
        sgd.zero_grad();
        reptile.AccumulateMetaGradient(episodes, 0);
        sgd.step();

        TestEpisodes.MaxRelativeError(TestEpisodes.Flatten(model.Parameters), expected).Should().BeLessThan(1e-12);
        foreach (var e in episodes)
        {
            e.Dispose();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MetaTrainer_DefaultInterpolation_MatchesThePapersUpdateWithAnnealedEpsilon(bool taskBatching)
    {
        // θ ← θ + ε_i (mean_t φ_t − θ), ε_i = 0.5 (1 − i / 4), computed by hand for three meta-iterations; the trainer
        // steps its default Adam after every call, which must change nothing.
        var options = new ReptileOptions { Steps = 2, StepSize = 0.02, OuterStepSize = 0.5, OuterStepSizeAnnealingIterations = 4, TaskBatching = taskBatching };
        var sampler = new SinusoidTaskSampler(new SinusoidTaskOptions { Shots = 5, Queries = 5 });
        using var model = TestEpisodes.TinyRegressor(seed: 3);
        using var byHand = TestEpisodes.TinyRegressor(seed: 3);
        using var reptile = new Reptile(model, options);
        using var trainer = new MetaTrainer(reptile, new MetaTrainerOptions { Iterations = 3, MetaBatchSize = 3, Seed = 11 });

        double[] theta = TestEpisodes.Flatten(byHand.Parameters);
        for (int i = 0; i < 3; i++)
        {
            var episodes = trainer.MetaBatch(sampler, i);
            var phis = episodes.Select(e => AdaptBySgd(byHand, e, options)).ToArray();
            double epsilon = 0.5 * (1 - (i / 4.0));
            theta = theta.Select((t, k) => t + (epsilon * ((phis.Sum(phi => phi[k]) / phis.Length) - t))).ToArray();
            LoadFlat(byHand, theta);
            foreach (var e in episodes)
            {
                e.Dispose();
            }
        }

        double[] before = TestEpisodes.Flatten(model.Parameters);
        var result = trainer.Train(sampler);

        result.Iterations.Should().Be(3);
        TestEpisodes.MaxRelativeError(TestEpisodes.Flatten(model.Parameters), theta).Should().BeLessThan(1e-12);
        TestEpisodes.MaxRelativeError(TestEpisodes.Flatten(model.Parameters), before).Should().BeGreaterThan(1e-4);
        model.Parameters.Should().OnlyContain(p => ReferenceEquals(p.grad, null), "the interpolation leaves the gradients alone");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AccumulateMetaGradient_Interpolation_AddsThetaMinusMeanAdaptedWeightsAndMovesNothing(bool taskBatching)
    {
        var options = new ReptileOptions { Steps = 3, StepSize = 0.02, TaskBatching = taskBatching };
        var episodes = new[] { TestEpisodes.Sine(1), TestEpisodes.Sine(2) };
        using var model = TestEpisodes.TinyRegressor();
        using var reptile = new Reptile(model, options);
        double[] theta = TestEpisodes.Flatten(model.Parameters);
        var phis = episodes.Select(e => AdaptBySgd(model, e, options)).ToArray();

        reptile.AccumulateMetaGradient(episodes, 0);

        TestEpisodes.Flatten(model.Parameters).Should().Equal(theta, "accumulating a meta-gradient moves nothing");
        var expected = theta.Select((t, i) => t - ((phis[0][i] + phis[1][i]) / 2)).ToArray();
        TestEpisodes.MaxRelativeError(TestEpisodes.Grads(model.Parameters), expected).Should().BeLessThan(1e-12);
        foreach (var e in episodes)
        {
            e.Dispose();
        }
    }

    [Fact]
    public void ApplyOuterUpdate_FourIterationsWithoutATrainer_EqualsTheHandComputedReptileUpdate()
    {
        // θ ← θ + ε_i (mean_t φ_t − θ) with ε_i = 0.8 (1 − i / 4), the four meta-iterations of the schedule, by hand.
        var options = new ReptileOptions { Steps = 2, StepSize = 0.05, OuterStepSize = 0.8, OuterStepSizeAnnealingIterations = 4, TaskBatching = false };
        using var model = TestEpisodes.TinyRegressor(seed: 7);
        using var byHand = TestEpisodes.TinyRegressor(seed: 7);
        using var reptile = new Reptile(model, options);
        double[] theta = TestEpisodes.Flatten(byHand.Parameters);
        for (int i = 0; i < 4; i++)
        {
            var episodes = new[] { TestEpisodes.Sine(10 + i), TestEpisodes.Sine(20 + i) };
            var phis = episodes.Select(e => AdaptBySgd(byHand, e, options)).ToArray();
            double epsilon = 0.8 * (1 - (i / 4.0));
            theta = theta.Select((t, k) => t + (epsilon * (((phis[0][k] + phis[1][k]) / 2) - t))).ToArray();
            LoadFlat(byHand, theta);

            reptile.AccumulateMetaGradient(episodes, i);
            reptile.ApplyOuterUpdate(i).Should().BeTrue();

            model.Parameters.Should().OnlyContain(p => ReferenceEquals(p.grad, null), "the update clears the gradients it applied");
            foreach (var e in episodes)
            {
                e.Dispose();
            }
        }

        TestEpisodes.MaxRelativeError(TestEpisodes.Flatten(model.Parameters), theta).Should().BeLessThan(1e-12);
    }

    [Fact]
    public void ApplyOuterUpdate_WithTheOuterOptimizerMode_IsRefused()
    {
        using var model = TestEpisodes.TinyRegressor();
        using var reptile = new Reptile(model, new ReptileOptions { OuterUpdate = ReptileOuterUpdate.OuterOptimizer });

        var act = () => reptile.ApplyOuterUpdate(0);

        act.Should().Throw<InvalidOperationException>().WithMessage("*outer optimizer*");
    }

    [Fact]
    public void NonFiniteAdaptation_ReportsNaN_AndNeitherApplyOuterUpdateNorATrainerMovesTheParameters()
    {
        using var model = TestEpisodes.TinyRegressor();
        using var reptile = new Reptile(model, new ReptileOptions { Steps = 1, TaskBatching = false });
        using var episode = TestEpisodes.Sine(3);
        using (no_grad())
        using (var nan = double.NaN.ToScalar())
        {
            episode.SupportTargets.fill_(nan);
        }

        double[] before = TestEpisodes.Flatten(model.Parameters);
        var result = reptile.AccumulateMetaGradient(new[] { episode }, 0);
        bool moved = reptile.ApplyOuterUpdate(0);

        result.MeanQueryLoss.Should().Be(double.NaN);
        moved.Should().BeFalse();
        TestEpisodes.Flatten(model.Parameters).Should().Equal(before);

        using var trainer = new MetaTrainer(reptile, new MetaTrainerOptions { Iterations = 2, MetaBatchSize = 1, NonFiniteLoss = NonFiniteLossPolicy.SkipBatch });
        var trained = trainer.Train(new NaNSampler());
        trained.SkippedBatches.Should().Be(2);
        TestEpisodes.Flatten(model.Parameters).Should().Equal(before);
    }

    [Fact]
    public void Options_Defaults_AnnealTheOuterStepSizeOverTheTrainersDefaultLength()
    {
        var o = new ReptileOptions();
        o.Steps.Should().Be(5);
        o.StepSize.Should().Be(0.01);
        o.TaskBatching.Should().BeTrue();
        o.OuterUpdate.Should().Be(ReptileOuterUpdate.Interpolation);
        o.OuterStepSize.Should().Be(1.0);
        o.OuterStepSizeAnnealingIterations.Should().Be(new MetaTrainerOptions().Iterations, "by default ε reaches 0 when a default-length training ends");
    }

    [Fact]
    public void Options_InvalidValues_AreRefused()
    {
        ((Action)(() => _ = new ReptileOptions { Steps = 0 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new ReptileOptions { StepSize = double.NaN })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new ReptileOptions { OuterStepSize = 1.5 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*(0, 1]*");
        ((Action)(() => _ = new ReptileOptions { OuterStepSize = 0 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*(0, 1]*");
        ((Action)(() => _ = new ReptileOptions { OuterStepSizeAnnealingIterations = -1 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*number of meta-iterations*");
        ((Action)(() => new ReptileOptions().OuterStepSizeAt(-1))).Should().Throw<ArgumentOutOfRangeException>();
    }

    /// <summary>
    /// Nichol et al. 2018 (arXiv:1803.02999v3), Appendix A (hyper-parameters): the outer step size is annealed linearly to 0
    /// over the training. Checked as stated: ε at the first meta-iteration, equal decrements every iteration (linear), and
    /// the line reaching 0 exactly where the N iterations end (its extrapolation to i = N).
    /// </summary>
    [Theory]
    [InlineData(1.0, 1000)]
    [InlineData(0.1, 3000)]
    [InlineData(0.5, 7)]
    public void OuterStepSizeAt_AnnealsLinearlyToZeroOverTheTraining(double epsilon, int n)
    {
        var o = new ReptileOptions { OuterStepSize = epsilon, OuterStepSizeAnnealingIterations = n };
        double[] schedule = Enumerable.Range(0, n).Select(o.OuterStepSizeAt).ToArray();

        schedule[0].Should().Be(epsilon);
        double decrement = schedule[0] - schedule[1];
        decrement.Should().BeGreaterThan(0);
        for (int i = 1; i < n; i++)
        {
            (schedule[i - 1] - schedule[i]).Should().BeApproximately(decrement, 1e-12, "linear: the same decrement at every iteration");
        }

        (schedule[^1] - decrement).Should().BeApproximately(0, 1e-12, "the line reaches 0 when the N iterations end");
        schedule.Should().OnlyContain(e => e > 0, "every one of the N iterations still moves the initialisation");
    }

    [Fact]
    public void OuterStepSizeAt_NoAnnealing_IsConstant()
    {
        var o = new ReptileOptions { OuterStepSize = 0.3, OuterStepSizeAnnealingIterations = 0 };
        o.OuterStepSizeAt(0).Should().Be(0.3);
        o.OuterStepSizeAt(1_000_000).Should().Be(0.3);
    }

    [Fact]
    public void OuterStepSizeAt_PastTheSchedule_RefusesNamingTheOption()
    {
        var o = new ReptileOptions { OuterStepSizeAnnealingIterations = 10 };
        var act = () => o.OuterStepSizeAt(10);
        act.Should().Throw<InvalidOperationException>().WithMessage("*10*OuterStepSizeAnnealingIterations*number of meta-iterations you train for*");
    }

    [Fact]
    public void MetaTrainer_TrainingPastTheSchedule_StopsWithoutMovingTheInitialisation()
    {
        var sampler = new SinusoidTaskSampler(new SinusoidTaskOptions { Shots = 5, Queries = 5 });
        using var model = TestEpisodes.TinyRegressor(seed: 4);
        using var reptile = new Reptile(model, new ReptileOptions { OuterStepSizeAnnealingIterations = 2 });
        using var trainer = new MetaTrainer(reptile, new MetaTrainerOptions { Iterations = 2, MetaBatchSize = 2, Seed = 1 });
        trainer.Train(sampler);
        double[] afterSchedule = TestEpisodes.Flatten(model.Parameters);

        trainer.Iteration.Should().Be(2);
        var act = () => trainer.Train(sampler);

        act.Should().Throw<InvalidOperationException>().WithMessage("*OuterStepSizeAnnealingIterations*");
        TestEpisodes.Flatten(model.Parameters).Should().Equal(afterSchedule);
    }

    private static double[] AdaptBySgd(IFunctionalModel model, Episode episode, ReptileOptions options)
    {
        using var scope = NewDisposeScope();
        using var lr = options.StepSize.ToScalar();
        var weights = model.Parameters.Select(p => p.detach().clone()).ToArray();
        for (int s = 0; s < options.Steps; s++)
        {
            var leaves = weights.Select(w => w.detach().requires_grad_(true)).ToArray();
            var loss = nn.functional.mse_loss(model.Forward(new[] { episode.SupportInput.to(ScalarType.Float64) }, leaves, default), episode.SupportTargets.to(ScalarType.Float64));
            var grads = autograd.grad(new[] { loss }, leaves);
            weights = leaves.Zip(grads).Select(p => (p.First - (p.Second * lr)).detach()).ToArray();
        }

        return TestEpisodes.Flatten(weights);
    }

    private static void LoadFlat(IFunctionalModel model, double[] values)
    {
        using var scope = NewDisposeScope();
        int at = 0;
        var tensors = new List<Tensor>();
        foreach (var p in model.Parameters)
        {
            int n = (int)p.numel();
            tensors.Add(tensor(values.AsSpan(at, n).ToArray(), dtype: ScalarType.Float64).view(p.shape));
            at += n;
        }

        model.LoadParameterValues(tensors);
    }

    /// <summary>Sine episodes whose support targets are NaN.</summary>
    private sealed class NaNSampler : ITaskSampler
    {
        public Episode Sample(int seed)
        {
            var episode = TestEpisodes.Sine(seed);
            using (no_grad())
            using (var nan = double.NaN.ToScalar())
            {
                episode.SupportTargets.fill_(nan);
            }

            return episode;
        }
    }
}
