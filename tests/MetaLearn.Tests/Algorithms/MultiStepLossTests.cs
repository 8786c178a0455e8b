using MetaLearn.Algorithms;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

public sealed class MultiStepLossTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(37)]
    [InlineData(90)]
    [InlineData(99)]
    public void Weights_DuringAnnealing_FollowThePapersFormula(int iteration)
    {
        const int steps = 5;
        const int annealing = 100;
        const double floor = 0.03;

        double[] weights = MultiStepLossSchedule.Weights(steps, iteration, annealing, floor);

        // Antoniou et al. 2019, get_per_step_loss_importance_vector, with decay rate 1 / S / N per iteration.
        double decay = 1.0 / steps / annealing;
        double nonFinal = Math.Max((1.0 / steps) - (iteration * decay), floor / steps);
        double final = Math.Min((1.0 / steps) + (iteration * (steps - 1) * decay), 1 - ((steps - 1) * floor / steps));
        weights.Take(steps - 1).Should().AllSatisfy(w => w.Should().Be(nonFinal));
        weights[^1].Should().Be(final);
    }

    [Fact]
    public void Weights_StartEqual_ReachTheFloor_ThenScoreOnlyTheFinalStep()
    {
        MultiStepLossSchedule.Weights(4, 0, 200).Should().AllSatisfy(w => w.Should().Be(0.25));
        MultiStepLossSchedule.Weights(4, 150, 200).Sum().Should().BeApproximately(1, 1e-12, "the weights sum to 1 until the floor is reached");
        MultiStepLossSchedule.Weights(4, 199, 200).Take(3).Should().AllSatisfy(w => w.Should().Be(0.03 / 4));
        MultiStepLossSchedule.Weights(4, 200, 200).Should().Equal(0, 0, 0, 1);
        MultiStepLossSchedule.Weights(4, 5, 0).Should().Equal(0, 0, 0, 1);
        ((Action)(() => MultiStepLossSchedule.Weights(0, 0, 10))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => MultiStepLossSchedule.Weights(2, 0, 10, 1.0))).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void AccumulateMetaGradient_MultiStepLoss_IsTheGradientOfTheWeightedSumOfPerStepQueryLosses()
    {
        const int steps = 3;
        const double stepSize = 0.05;
        const int iteration = 4;
        using var model = TestEpisodes.TinyRegressor();
        using var episode = TestEpisodes.Sine(7);
        var options = new InnerLoopOptions { Steps = steps, StepSize = stepSize, MultiStepLossIterations = 10, TaskBatching = false };
        using var maml = new Maml(model, options);
        maml.AccumulateMetaGradient(new[] { episode }, iteration);
        double[] analytic = TestEpisodes.Grads(model.Parameters);
        TestEpisodes.ZeroGrads(model.Parameters);
        maml.AccumulateMetaGradient(new[] { episode }, 10);
        double[] finalOnly = TestEpisodes.Grads(model.Parameters);

        double[] weights = MultiStepLossSchedule.Weights(steps, iteration, 10);
        double[] expected;
        using (var scope = NewDisposeScope())
        {
            var support = new[] { episode.SupportInput.to(ScalarType.Float64) };
            var query = new[] { episode.QueryInput.to(ScalarType.Float64) };
            Tensor[] fast = model.Parameters.ToArray<Tensor>();
            Tensor objective = zeros(1, dtype: ScalarType.Float64);
            using var lr = stepSize.ToScalar();
            for (int s = 0; s < steps; s++)
            {
                var loss = nn.functional.mse_loss(model.Forward(support, fast, default), episode.SupportTargets.to(ScalarType.Float64));
                var grads = autograd.grad(new[] { loss }, fast, retain_graph: true, create_graph: true);
                fast = fast.Zip(grads).Select(p => p.First - (p.Second * lr)).ToArray();
                var queryLoss = nn.functional.mse_loss(model.Forward(query, fast, default), episode.QueryTargets.to(ScalarType.Float64));
                objective = objective + (queryLoss * tensor(weights[s], dtype: ScalarType.Float64));
            }

            expected = TestEpisodes.Flatten(autograd.grad(new[] { objective.sum() }, model.Parameters.ToArray<Tensor>()));
        }

        TestEpisodes.MaxRelativeError(analytic, expected).Should().BeLessThan(1e-10);
        TestEpisodes.MaxRelativeError(finalOnly, expected).Should().BeGreaterThan(1e-3, "after the annealing only the final step is scored");
    }

    [Fact]
    public void AccumulateMetaGradient_MultiStepLoss_RunsTheFinalQueryForwardOnce()
    {
        using var inner = TestEpisodes.TinyRegressor();
        using var model = new RecordingModel(inner);
        using var episode = TestEpisodes.Sine(8);
        using var maml = new Maml(model, new InnerLoopOptions { Steps = 3, StepSize = 0.05, MultiStepLossIterations = 10, TaskBatching = false });

        maml.AccumulateMetaGradient(new[] { episode }, 0);
        int withMultiStep = model.Contexts.Count;
        model.Contexts.Clear();
        maml.AccumulateMetaGradient(new[] { episode }, 10);

        withMultiStep.Should().Be(6, "three support forwards and one query forward after each of the three steps");
        model.Contexts.Count.Should().Be(4, "three support forwards and the final query forward");
    }
}
