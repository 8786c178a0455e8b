using MetaLearn.Models;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Models;

/// <summary>
/// A ReLU followed by a 2-D max-pool runs pool first inside a model built from layers; the output and its first and
/// second derivatives are the same bits as the TorchSharp module's (ReLU first), ties in the pooling windows included.
/// </summary>
public sealed class ReluMaxPoolOrderTests
{
    [Theory]
    [InlineData(2, 2, 0, false)]
    [InlineData(3, 2, 1, true)]
    [InlineData(3, 1, 1, false)]
    public void Forward_ReluThenMaxPool_SameBitsAndDerivativesAsTheModule(int kernel, int stride, int padding, bool ceil)
    {
        using var scope = NewDisposeScope();
        using var module = nn.Sequential(
            ("conv", nn.Conv2d(1, 3, 3, padding: 1, dtype: ScalarType.Float64)),
            ("relu", nn.ReLU()),
            ("pool", nn.MaxPool2d(kernel, stride, padding, ceil_mode: ceil)));
        using var model = FunctionalModel.FromModule(module);
        using var generator = new Generator(31);
        var x = randn(new long[] { 4, 1, 9, 9 }, dtype: ScalarType.Float64, generator: generator);
        x.narrow(3, 0, 4).zero_();

        var fromModule = Derivatives(module.parameters().ToArray(), () => module.forward(x));
        var fromModel = Derivatives(model.Parameters.ToArray(), () => model.Forward(new[] { x }, model.Parameters, default));

        fromModel.Output.Should().Equal(fromModule.Output);
        fromModel.First.Should().Equal(fromModule.First);
        fromModel.Second.Should().Equal(fromModule.Second);
        fromModule.First.Should().Contain(g => g != 0);
        fromModule.Second.Should().Contain(g => g != 0);
    }

    /// <summary>The output, the gradient of a weighted sum of its squares, and the gradient of that gradient's squared norm.</summary>
    private static (double[] Output, double[] First, double[] Second) Derivatives(Tensor[] weights, Func<Tensor> forward)
    {
        var y = forward();
        using var fixedDraws = new Generator(5);
        var weighting = rand(y.shape, dtype: ScalarType.Float64, generator: fixedDraws);
        var loss = (y * y * weighting).sum();
        var grads = torch.autograd.grad(new[] { loss }, weights, retain_graph: true, create_graph: true);
        var norm = grads.Select(g => g.pow(2).sum()).Aggregate((a, b) => a + b);
        var second = torch.autograd.grad(new[] { norm }, weights);
        return (TestEpisodes.Flatten(new[] { y }), TestEpisodes.Flatten(grads), TestEpisodes.Flatten(second));
    }
}
