using MetaLearn.Algorithms;

namespace MetaLearn.Tests.Algorithms;

public sealed class MetaSgdTests
{
    [Theory]
    [InlineData(false, StepSizeMode.Fixed)]
    [InlineData(true, StepSizeMode.PerParameterPerStep)]
    public void MetaSgd_IsNamedMetaSgd_WithPerElementStepSizes_AndAdaptsEveryWeight(bool firstOrder, StepSizeMode asked)
    {
        using var model = TestEpisodes.TinyRegressor();
        using var metaSgd = Maml.MetaSgd(model, new InnerLoopOptions { StepSize = 0.03, FirstOrder = firstOrder, StepSizes = asked });

        metaSgd.Name.Should().Be("metasgd");
        metaSgd.Options.Should().Be(new InnerLoopOptions { StepSize = 0.03, FirstOrder = firstOrder, StepSizes = StepSizeMode.PerElement });
        metaSgd.LearnedStepSizes.Select(a => a.shape).Should().BeEquivalentTo(model.Parameters.Select(p => p.shape), o => o.WithStrictOrdering());
        metaSgd.AdaptedParameters.Should().OnlyContain(adapted => adapted);
    }

    [Fact]
    public void AccumulateMetaGradient_LearnedStepSizes_ReceiveGradients()
    {
        using var model = TestEpisodes.TinyRegressor();
        using var metaSgd = Maml.MetaSgd(model, new InnerLoopOptions { StepSize = 0.03 });
        using var episode = TestEpisodes.Sine(1);

        metaSgd.AccumulateMetaGradient(new[] { episode }, 0);

        metaSgd.LearnedStepSizes.Should().HaveCount(model.Parameters.Count);
        metaSgd.MetaParameters.Should().HaveCount(2 * model.Parameters.Count);
        TestEpisodes.Flatten(metaSgd.LearnedStepSizes).Should().OnlyContain(v => v == 0.03);
        foreach (var (alpha, p) in metaSgd.LearnedStepSizes.Zip(model.Parameters))
        {
            alpha.shape.Should().Equal(p.shape);
            alpha.grad!.abs().sum().ToDouble().Should().BeGreaterThan(0);
        }
    }

    [Fact]
    public void AccumulateMetaGradient_StepSizeGradient_MatchesFiniteDifference()
    {
        using var model = TestEpisodes.TinyRegressor();
        using var metaSgd = Maml.MetaSgd(model, new InnerLoopOptions { StepSize = 0.03 });
        using var episode = TestEpisodes.Sine(2);
        metaSgd.AccumulateMetaGradient(new[] { episode }, 0);
        var alpha = metaSgd.LearnedStepSizes[0].detach().view(-1);
        double analytic = metaSgd.LearnedStepSizes[0].grad!.view(-1)[3].ToDouble();

        const double h = 1e-6;
        double Loss(double value)
        {
            using (torch.no_grad())
            {
                alpha[3] = value;
            }

            return MetaLearn.Evaluation.Evaluator.Score(metaSgd, episode).Loss;
        }

        double numeric = (Loss(0.03 + h) - Loss(0.03 - h)) / (2 * h);
        Loss(0.03);
        analytic.Should().BeApproximately(numeric, Math.Abs(numeric) * 1e-4 + 1e-10);
    }

    [Fact]
    public void AccumulateMetaGradient_FirstOrder_StepSizeGradientsMatchFiniteDifferences_AndInitialisationGetsTheQueryGradient()
    {
        // With one step the inner gradient g(θ) does not depend on α, so first-order Meta-SGD's α-gradient
        // −∇L(φ) ⊙ g is exact, while its θ-gradient ∇L(φ) drops the second-order term.
        using var model = TestEpisodes.TinyRegressor(seed: 2);
        using var metaSgd = Maml.MetaSgd(model, new InnerLoopOptions { StepSize = 0.04, FirstOrder = true, TaskBatching = false });
        using var episode = TestEpisodes.Sine(13);
        metaSgd.AccumulateMetaGradient(new[] { episode }, 0);
        double[] alphaGradient = TestEpisodes.Grads(metaSgd.LearnedStepSizes);
        double[] thetaGradient = TestEpisodes.Grads(model.Parameters);

        double[] alphaNumeric = FiniteDifferences.Central(metaSgd.LearnedStepSizes, () => MetaLearn.Evaluation.Evaluator.Score(metaSgd, episode).Loss);
        double[] thetaNumeric = FiniteDifferences.Central(model.Parameters, () => MetaLearn.Evaluation.Evaluator.Score(metaSgd, episode).Loss);

        TestEpisodes.MaxRelativeError(alphaGradient, alphaNumeric).Should().BeLessThan(1e-6);
        TestEpisodes.MaxRelativeError(thetaGradient, thetaNumeric).Should().BeGreaterThan(1e-4, "first order drops the Hessian term of the θ-gradient");
    }
}
