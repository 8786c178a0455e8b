using MetaLearn.Evaluation;
using MetaLearn.Sampling;
using MetaLearn.Algorithms;

namespace MetaLearn.Tests.Evaluation;

public sealed class EvaluatorTests
{
    [Fact]
    public void MeanWithConfidence_UsesStudentT()
    {
        // Values 1..4: mean 2.5, sample sd sqrt(5/3); t(0.975, 3 dof) = 3.182446305 (scipy.stats.t.ppf(0.975, 3)).
        var (mean, half) = Evaluator.MeanWithConfidence(new double[] { 1, 2, 3, 4 });

        mean.Should().Be(2.5);
        half.Should().BeApproximately(3.182446305 * Math.Sqrt(5.0 / 3.0) / 2, 1e-8);
    }

    [Fact]
    public void Evaluate_Classification_ReportsAccuracyWithInterval_AndIsReproducible()
    {
        using var model = TestEpisodes.TinyClassifier(ways: 3, features: 4);
        using var maml = new Maml(model, new InnerLoopOptions { Steps = 5, StepSize = 0.5 });
        var sampler = new GaussianClassificationTaskSampler(new GaussianClassificationTaskOptions { Ways = 3, Features = 4, Separation = 3 });

        var a = Evaluator.Evaluate(maml, sampler, 30, seed: 1);
        var b = Evaluator.Evaluate(maml, sampler, 30, seed: 1);

        a.Should().Be(b);
        a.Episodes.Should().Be(30);
        a.MeanAccuracy.Should().BeInRange(0.5, 1.0, "five steps on well-separated classes beat chance (1/3)");
        a.AccuracyConfidence95.Should().BeInRange(0.0001, 0.2);
        a.LossConfidence95.Should().BeGreaterThan(0);
    }

    [Fact]
    public void Evaluate_Regression_HasNaNAccuracy()
    {
        using var model = TestEpisodes.TinyRegressor();
        using var maml = new Maml(model);

        var result = Evaluator.Evaluate(maml, new SinusoidTaskSampler(), 5, seed: 2);

        double.IsNaN(result.MeanAccuracy).Should().BeTrue();
        result.MeanLoss.Should().BeGreaterThan(0);
        result.ToString().Should().Contain("over 5 episodes").And.NotContain("accuracy");
    }

    [Fact]
    public void Evaluate_FewerThanTwoEpisodes_Throws()
    {
        using var model = TestEpisodes.TinyRegressor();
        using var maml = new Maml(model);

        var act = () => Evaluator.Evaluate(maml, new SinusoidTaskSampler(), 1, seed: 2);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
