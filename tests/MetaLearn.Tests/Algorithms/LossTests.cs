using MetaLearn.Algorithms;
using MetaLearn.Tasks;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

public sealed class LossTests
{
    [Fact]
    public void Defaults_AndInvalidValues()
    {
        new InnerLoopOptions().Loss.Should().BeSameAs(Loss.ByTaskKind);
        ((Action)(() => Loss.CrossEntropy(-0.1))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*at least 0 and below 1*");
        ((Action)(() => Loss.CrossEntropy(1))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => Loss.Huber(0))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*positive and finite*");
        ((Action)(() => _ = new InnerLoopOptions { Loss = null! })).Should().Throw<ArgumentNullException>();
        ((Action)(() => Loss.Custom(" ", (p, t) => p.sum()))).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void PerTask_EveryLoss_MatchesItsFormula_AndTaskBatchedEqualsPerTask()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var logits = randn(2, 4, 3, dtype: ScalarType.Float64);
        var labels = tensor(new long[] { 0, 2, 1, 1, 2, 0, 0, 1 }).view(2, 4);
        var values = randn(2, 4, 3, dtype: ScalarType.Float64).mul(tensor(2.0, dtype: ScalarType.Float64));
        var multiLabel = rand(2, 4, 3, dtype: ScalarType.Float64).gt(tensor(0.5)).to(ScalarType.Float64);

        var logProbabilities = logits.log_softmax(-1);
        var picked = logProbabilities.gather(-1, labels.unsqueeze(-1)).squeeze(-1).neg();
        var smoothed = (picked.mul(tensor(0.9, dtype: ScalarType.Float64)) + logProbabilities.neg().mean(new long[] { -1 }).mul(tensor(0.1, dtype: ScalarType.Float64))).mean(new long[] { 1 });
        var difference = logits - values;
        var absolute = difference.abs();
        var huber = where(absolute.le(tensor(1.0)), difference.square().div(tensor(2.0)), absolute - tensor(0.5)).view(2, -1).mean(new long[] { 1 });
        var bce = (logits.sigmoid().log().mul(multiLabel) + (tensor(1.0) - logits.sigmoid()).log().mul(tensor(1.0) - multiLabel)).neg().view(2, -1).mean(new long[] { 1 });

        var cases = new (Loss Loss, Tensor Targets, Tensor Expected)[]
        {
            (Loss.CrossEntropy(), labels, picked.mean(new long[] { 1 })),
            (Loss.CrossEntropy(0.1), labels, smoothed),
            (Loss.For(TaskKind.Classification), labels, picked.mean(new long[] { 1 })),
            (Loss.MeanSquaredError, values, difference.square().view(2, -1).mean(new long[] { 1 })),
            (Loss.For(TaskKind.Regression), values, difference.square().view(2, -1).mean(new long[] { 1 })),
            (Loss.L1, values, absolute.view(2, -1).mean(new long[] { 1 })),
            (Loss.Huber(), values, huber),
            (Loss.BinaryCrossEntropyWithLogits, multiLabel, bce),
            (Loss.Custom("max error", (p, t) => (p - t).abs().max()), values, absolute.view(2, -1).max(1).values),
        };

        foreach (var (loss, targets, expected) in cases)
        {
            var batched = TaskLoss.PerTask(logits, targets, taskBatched: true, loss);
            var perTask = stack(new[] { TaskLoss.PerTask(logits[0], targets[0], false, loss), TaskLoss.PerTask(logits[1], targets[1], false, loss) });
            Models.ModuleConversionTests.MaxAbs(batched, expected).Should().BeLessThan(1e-12, loss.Name);
            Models.ModuleConversionTests.MaxAbs(perTask, expected).Should().BeLessThan(1e-12, loss.Name);
        }
    }

    [Fact]
    public void Maml_LossOption_ChangesTheObjective_DefaultKeepsMeanSquaredError()
    {
        using var model = TestEpisodes.TinyRegressor();
        using var episode = TestEpisodes.Sine(3);
        double LossWith(Loss loss)
        {
            using var maml = new Maml(model, new InnerLoopOptions { Steps = 1, StepSize = 0.05, Loss = loss });
            double value = maml.AccumulateMetaGradient(new[] { episode }, 0).MeanQueryLoss;
            TestEpisodes.ZeroGrads(model.Parameters);
            return value;
        }

        double byType = LossWith(Loss.ByTaskKind);
        LossWith(Loss.MeanSquaredError).Should().BeApproximately(byType, 1e-12);
        LossWith(Loss.L1).Should().NotBeApproximately(byType, 1e-6);
    }
}
