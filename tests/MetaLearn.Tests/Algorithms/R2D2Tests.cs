using MetaLearn.Algorithms;
using MetaLearn.Evaluation;
using MetaLearn.Models;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

public sealed class R2D2Tests
{
    [Theory]
    [InlineData(4, 9)]
    [InlineData(9, 4)]
    public void RidgeWeights_EqualTheDirectRidgeSolution(int examples, int features)
    {
        // Direct: W = (XᵀX + λI)⁻¹ XᵀY by an explicit inverse. With fewer examples than features R2D2 uses the
        // Woodbury form Xᵀ(XXᵀ + λI)⁻¹Y, which must give the same W.
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)(examples * 10 + features));
        var x = randn(new long[] { examples, features }, dtype: ScalarType.Float64, generator: generator);
        var y = randn(new long[] { examples, 3 }, dtype: ScalarType.Float64, generator: generator);
        var lambda = tensor(0.7, dtype: ScalarType.Float64);

        var w = R2D2.RidgeWeights(x, y, lambda);
        var direct = linalg.inv(x.t().matmul(x) + (eye(features, dtype: ScalarType.Float64) * lambda)).matmul(x.t()).matmul(y);

        w.shape.Should().Equal(features, 3);
        TestEpisodes.MaxRelativeError(TestEpisodes.Flatten(new[] { w }), TestEpisodes.Flatten(new[] { direct })).Should().BeLessThan(1e-12);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(4)]
    public void AccumulateMetaGradient_EmbeddingScaleBiasAndLambda_MatchCentralFiniteDifferences(int features)
    {
        // 3-way 2-shot: 6 support examples, so 8 features take the Woodbury form and 4 the direct one.
        using var model = new Mlp(new MlpOptions { LayerSizes = new[] { 4, 6, features }, Seed = 3, DType = ScalarType.Float64 });
        using var r2d2 = new R2D2(model, new R2D2Options { InitialRegularization = 0.5, InitialScale = 2.0, TaskBatching = false });
        using var episode = TestEpisodes.Gaussian(17);
        using (no_grad())
        {
            r2d2.MetaParameters[^1].copy_(tensor(0.3, dtype: ScalarType.Float64));
        }

        r2d2.AccumulateMetaGradient(new[] { episode }, 0);
        double[] analytic = TestEpisodes.Grads(r2d2.MetaParameters);
        double[] numeric = FiniteDifferences.Central(r2d2.MetaParameters, () => Evaluator.Score(r2d2, episode).Loss);

        r2d2.MetaParameters.Should().HaveCount(model.Parameters.Count + 3);
        TestEpisodes.Grads(r2d2.MetaParameters.Skip(model.Parameters.Count)).Take(2).Should().OnlyContain(g => g != 0, "λ and the scale are learned");
        TestEpisodes.MaxRelativeError(analytic, numeric).Should().BeLessThan(1e-6);
    }

    [Fact]
    public void AccumulateMetaGradient_TaskBatchedAndPerTask_GiveTheSameLossAndGradient()
    {
        using var model = new Mlp(new MlpOptions { LayerSizes = new[] { 4, 8, 8 }, Seed = 4, DType = ScalarType.Float64 });
        var episodes = Enumerable.Range(50, 3).Select(i => TestEpisodes.Gaussian(i)).ToArray();

        (double Loss, double[] Grad) Run(bool batched)
        {
            using var r2d2 = new R2D2(model, new R2D2Options { TaskBatching = batched });
            TestEpisodes.ZeroGrads(model.Parameters);
            var result = r2d2.AccumulateMetaGradient(episodes, 0);
            result.TaskBatched.Should().Be(batched);
            return (result.MeanQueryLoss, TestEpisodes.Grads(r2d2.MetaParameters));
        }

        TestEpisodes.TaskBatchedEqualsPerTask(Run);
        foreach (var e in episodes)
        {
            e.Dispose();
        }
    }

    [Fact]
    public void Options_Defaults_AndInvalidValues()
    {
        var o = new R2D2Options();
        o.InitialRegularization.Should().Be(1.0);
        o.InitialScale.Should().Be(1.0);
        o.LearnBias.Should().BeTrue();
        o.TaskBatching.Should().BeTrue();
        ((Action)(() => _ = new R2D2Options { InitialRegularization = 0 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*λ*");
        ((Action)(() => _ = new R2D2Options { InitialScale = double.NaN })).Should().Throw<ArgumentOutOfRangeException>();
        using var model = new Mlp(MlpOptions.WithLayers(2, 3));
        using var noBias = new R2D2(model, o with { LearnBias = false });
        noBias.MetaParameters.Should().HaveCount(model.Parameters.Count + 2);
        noBias.Regularization.Should().BeApproximately(1.0, 1e-6);
    }
}
