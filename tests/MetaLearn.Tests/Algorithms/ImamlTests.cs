using MetaLearn.Algorithms;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

public sealed class ImamlTests
{
    [Fact]
    public void AccumulateMetaGradient_ManyStepsStrongRegularisation_EqualsTheExplicitSecondOrderGradient()
    {
        // Where both apply — λ large enough that the proximal objective is convex (with λ = 10 this support loss's
        // Hessian is too indefinite: both gradients drift with the step count and differ by 2%) and the inner loop
        // converged — the implicit gradient (I + H/λ)⁻¹ ∇L_query(φ*) equals differentiating through the unrolled
        // proximal gradient descent, in which θ enters both as the start and in λ/2 ‖φ − θ‖².
        const int steps = 200;
        const double alpha = 0.01;
        const double lambda = 50;
        using var model = TestEpisodes.TinyRegressor(seed: 5);
        using var episode = TestEpisodes.Sine(31);
        using var imaml = new Imaml(model, new ImamlOptions { Steps = steps, StepSize = alpha, Regularization = lambda, ConjugateGradientSteps = 30, TaskBatching = false });

        imaml.AccumulateMetaGradient(new[] { episode }, 0);
        double[] implicitGradient = TestEpisodes.Grads(model.Parameters);

        double[] explicitGradient;
        using (var scope = NewDisposeScope())
        {
            using var lr = alpha.ToScalar();
            using var l = lambda.ToScalar();
            var theta = model.Parameters.ToArray<Tensor>();
            var support = new[] { episode.SupportInput.to(ScalarType.Float64) };
            var targets = episode.SupportTargets.to(ScalarType.Float64);
            Tensor[] phi = theta;
            for (int s = 0; s < steps; s++)
            {
                var loss = nn.functional.mse_loss(model.Forward(support, phi, default), targets);
                var grads = autograd.grad(new[] { loss }, phi, retain_graph: true, create_graph: true);
                phi = phi.Select((w, i) => w - ((grads[i] + ((w - theta[i]) * l)) * lr)).ToArray();
            }

            var queryLoss = nn.functional.mse_loss(model.Forward(new[] { episode.QueryInput.to(ScalarType.Float64) }, phi, default), episode.QueryTargets.to(ScalarType.Float64));
            explicitGradient = TestEpisodes.Flatten(autograd.grad(new[] { queryLoss }, theta));
        }

        TestEpisodes.MaxRelativeError(implicitGradient, explicitGradient).Should().BeLessThan(1e-9);
    }

    [Fact]
    public void AccumulateMetaGradient_TaskBatchedAndPerTask_GiveTheSameLossAndGradient()
    {
        using var model = TestEpisodes.TinyRegressor(seed: 6);
        var episodes = Enumerable.Range(40, 3).Select(i => TestEpisodes.Sine(i)).ToArray();
        var options = new ImamlOptions { Steps = 5, StepSize = 0.02, Regularization = 2, ConjugateGradientSteps = 5 };

        (double Loss, double[] Grad) Run(ImamlOptions o)
        {
            using var imaml = new Imaml(model, o);
            TestEpisodes.ZeroGrads(model.Parameters);
            var result = imaml.AccumulateMetaGradient(episodes, 0);
            result.TaskBatched.Should().Be(o.TaskBatching);
            return (result.MeanQueryLoss, TestEpisodes.Grads(model.Parameters));
        }

        var batched = Run(options);
        var perTask = Run(options with { TaskBatching = false });

        batched.Loss.Should().BeApproximately(perTask.Loss, 1e-12);
        TestEpisodes.MaxRelativeError(batched.Grad, perTask.Grad).Should().BeLessThan(1e-10);
        foreach (var e in episodes)
        {
            e.Dispose();
        }
    }

    [Fact]
    public void AccumulateMetaGradient_AfterWarmUp_LeavesNoTensorAlive()
    {
        using var model = TestEpisodes.TinyRegressor(dtype: ScalarType.Float32);
        using var imaml = new Imaml(model, new ImamlOptions { Steps = 4 });
        var episodes = Enumerable.Range(0, 3).Select(i => TestEpisodes.Sine(i)).ToArray();
        imaml.AccumulateMetaGradient(episodes, 0);
        imaml.PredictQuery(episodes[0]).Dispose();
        long live = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        imaml.AccumulateMetaGradient(episodes, 1);
        imaml.AccumulateMetaGradient(episodes.Take(1).ToArray(), 2);
        imaml.PredictQuery(episodes[1]).Dispose();

        TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(live);
        foreach (var e in episodes)
        {
            e.Dispose();
        }
    }

    [Fact]
    public void AccumulateMetaGradient_LiveTensorsDuringTheInnerLoop_DoNotGrowWithTheSteps()
    {
        // The live-tensor count at each support forward pass of the proximal loop: before each step's weights were freed
        // when the next existed, it grew by one tensor per parameter per step.
        using var inner = TestEpisodes.TinyRegressor(dtype: ScalarType.Float32);
        using var model = new RecordingModel(inner);
        using var imaml = new Imaml(model, new ImamlOptions { Steps = 30, ConjugateGradientSteps = 2 });
        using var episode = TestEpisodes.Sine(4);
        imaml.AccumulateMetaGradient(new[] { episode }, 0);

        // Pass 0 is at θ and pass 1 at the first step's candidate (φ is still θ); from pass 2 on φ is a tensor of its own,
        // and the last step's candidate (pass 30) needs no gradient.
        var duringSteps = model.LiveCounts.Take(30).ToArray();
        duringSteps[^1].Should().Be(duringSteps[2], "step 29 holds as many tensors as step 2");
    }

    [Fact]
    public void Options_Defaults_AndInvalidValues()
    {
        var o = new ImamlOptions();
        o.Steps.Should().Be(10);
        o.StepSize.Should().Be(0.01);
        o.Regularization.Should().Be(10.0);
        o.ConjugateGradientSteps.Should().Be(5);
        o.TaskBatching.Should().BeTrue();
        ((Action)(() => _ = new ImamlOptions { Steps = 0 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new ImamlOptions { StepSize = -1 })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new ImamlOptions { Regularization = 0 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*λ*");
        ((Action)(() => _ = new ImamlOptions { ConjugateGradientSteps = 0 })).Should().Throw<ArgumentOutOfRangeException>();
    }
}
