using System.Diagnostics;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Benchmarks;

/// <summary>
/// MAML written directly against TorchSharp, with none of MetaLearn's abstractions: a list of parameters, a per-task
/// loop, autograd.grad with create_graph, fast weights by hand, backward of each task's query loss, Adam. It is the
/// yardstick for the overhead of MetaLearn's per-task path (same math as WORKLOADS.md's sine-maml).
/// </summary>
internal static class HandwrittenMaml
{
    private const int MetaBatch = 25;
    private const int Shots = 10;
    private const double InnerLr = 0.01;

    /// <summary>The hand-written version of a workload, or null when there is none.</summary>
    public static ResultLine? For(string workload, int iterations) => workload switch
    {
        "sine-maml" => Sine(iterations),
        _ => null,
    };

    public static ResultLine Sine(int iterations, ulong seed = 0)
    {
        using var generator = new Generator(seed);
        var parameters = MlpParameters(new[] { 1, 40, 40, 1 }, generator);
        using var adam = optim.Adam(parameters, lr: 1e-3);
        var times = new List<double>();
        var clock = new Stopwatch();
        for (int it = 0; it < iterations; it++)
        {
            clock.Restart();
            adam.zero_grad();
            double total = 0;
            for (int t = 0; t < MetaBatch; t++)
            {
                using var scope = NewDisposeScope();
                var (xs, ys, xq, yq) = SineTask(generator);
                var fast = Adapt(parameters, xs, ys, createGraph: true);
                var loss = F.mse_loss(Forward(xq, fast), yq) / MetaBatch;
                loss.backward();
                total += loss.item<float>();
            }

            adam.step();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        var mse = new List<double>();
        for (int t = 0; t < 200; t++)
        {
            using var scope = NewDisposeScope();
            var (xs, ys, xq, yq) = SineTask(generator);
            var fast = Adapt(parameters, xs, ys, createGraph: false);
            mse.Add(F.mse_loss(Forward(xq, fast), yq).item<float>());
        }

        foreach (var p in parameters)
        {
            p.Dispose();
        }

        return new ResultLine("sine-maml-handwritten", ResultLine.WarmMedian(times), mse.Average());
    }

    private static Parameter[] MlpParameters(int[] sizes, Generator generator)
    {
        var result = new List<Parameter>();
        for (int i = 0; i + 1 < sizes.Length; i++)
        {
            double bound = 1.0 / Math.Sqrt(sizes[i]);
            using var scope = NewDisposeScope();
            var w = ((rand(new long[] { sizes[i + 1], sizes[i] }, generator: generator) * 2) - 1) * bound;
            var b = ((rand(new long[] { sizes[i + 1] }, generator: generator) * 2) - 1) * bound;
            foreach (var values in new[] { w, b })
            {
                var parameter = new Parameter(values.detach(), requires_grad: true);
                parameter.DetachFromDisposeScope();
                result.Add(parameter);
            }
        }

        return result.ToArray();
    }

    private static Tensor Forward(Tensor x, IReadOnlyList<Tensor> weights)
    {
        int layers = weights.Count / 2;
        for (int i = 0; i < layers; i++)
        {
            x = F.linear(x, weights[2 * i], weights[(2 * i) + 1]);
            if (i < layers - 1)
            {
                x = F.relu(x);
            }
        }

        return x;
    }

    private static Tensor[] Adapt(Tensor[] parameters, Tensor xs, Tensor ys, bool createGraph)
    {
        var loss = F.mse_loss(Forward(xs, parameters), ys);
        var grads = autograd.grad(new[] { loss }, parameters, retain_graph: createGraph, create_graph: createGraph);
        var fast = new Tensor[parameters.Length];
        for (int i = 0; i < fast.Length; i++)
        {
            fast[i] = parameters[i] - (InnerLr * grads[i]);
        }

        return fast;
    }

    /// <summary>y = A sin(x - phase), A ~ U[0.1, 5], phase ~ U[0, pi], x ~ U[-5, 5]; drawn with torch like the reference.</summary>
    private static (Tensor Xs, Tensor Ys, Tensor Xq, Tensor Yq) SineTask(Generator generator)
    {
        var amplitude = empty(1).uniform_(0.1, 5.0, generator: generator);
        var phase = empty(1).uniform_(0.0, Math.PI, generator: generator);
        var x = empty(2 * Shots, 1).uniform_(-5.0, 5.0, generator: generator);
        var y = amplitude * sin(x - phase);
        return (x.narrow(0, 0, Shots), y.narrow(0, 0, Shots), x.narrow(0, Shots, Shots), y.narrow(0, Shots, Shots));
    }
}
