using static TorchSharp.torch;

namespace MetaLearn.Tests.Runtime;

public sealed class NativeRuntimeTests
{
    [Fact]
    public void SecondOrderGradient_ThroughAutogradGrad_MatchesAnalyticValue()
    {
        // f(x) = x^3 sin(x); f''(x) = 6x sin x + 6x^2 cos x - x^3 sin x.
        using var scope = NewDisposeScope();
        double x0 = 1.3;
        var x = tensor(new[] { x0 }, dtype: ScalarType.Float64, requires_grad: true);
        var f = x.pow(3) * x.sin();
        var first = autograd.grad(new[] { f.sum() }, new[] { x }, create_graph: true, retain_graph: true)[0];
        var second = autograd.grad(new[] { first.sum() }, new[] { x })[0];

        double expected = (6 * x0 * Math.Sin(x0)) + (6 * x0 * x0 * Math.Cos(x0)) - (x0 * x0 * x0 * Math.Sin(x0));
        second.item<double>().Should().BeApproximately(expected, 1e-12);
    }
}
