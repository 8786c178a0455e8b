using MetaLearn.Algorithms;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

public sealed class ConjugateGradientTests
{
    [Fact]
    public void Solve_SmallSymmetricPositiveDefiniteSystem_GivesTheExactSolution()
    {
        // A = [[4, 1], [1, 3]], b = [1, 2]: x = A⁻¹ b = [1/11, 7/11]; two steps are exact for a 2-dimensional system.
        using var scope = NewDisposeScope();
        var a = tensor(new double[] { 4, 1, 1, 3 }, new long[] { 2, 2 });
        var b = tensor(new double[] { 1, 2 });

        var x = ConjugateGradient.Solve(v => new[] { a.matmul(v[0]) }, new[] { b }, 2, taskBatched: false);

        TestEpisodes.Flatten(x).Should().Equal(new[] { 1.0 / 11, 7.0 / 11 }, (actual, expected) => Math.Abs(actual - expected) < 1e-14);
    }

    [Fact]
    public void Solve_TaskBatched_SolvesEachTasksSystemOverSeveralTensors()
    {
        // Two tasks, each a 3-dimensional system split over two tensors ([T, 2] and [T, 1]), against linalg.solve.
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var m = randn(new long[] { 2, 3, 3 }, dtype: ScalarType.Float64, generator: generator);
        var a = m.matmul(m.transpose(1, 2)) + eye(3, dtype: ScalarType.Float64);
        var b = randn(new long[] { 2, 3 }, dtype: ScalarType.Float64, generator: generator);

        IReadOnlyList<Tensor> Apply(IReadOnlyList<Tensor> v)
        {
            var product = a.matmul(cat(new[] { v[0], v[1] }, 1).unsqueeze(-1)).squeeze(-1);
            return new[] { product.narrow(1, 0, 2), product.narrow(1, 2, 1) };
        }

        var x = ConjugateGradient.Solve(Apply, new[] { b.narrow(1, 0, 2), b.narrow(1, 2, 1) }, 3, taskBatched: true);
        var expected = linalg.solve(a, b.unsqueeze(-1)).squeeze(-1);

        TestEpisodes.MaxRelativeError(TestEpisodes.Flatten(new[] { cat(x, 1) }), TestEpisodes.Flatten(new[] { expected })).Should().BeLessThan(1e-10);
    }
}
