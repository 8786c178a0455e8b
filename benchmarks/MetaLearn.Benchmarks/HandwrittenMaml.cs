using System.Diagnostics;
using MetaLearn.Sampling;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Benchmarks;

/// <summary>
/// MAML written directly against TorchSharp, with none of MetaLearn's abstractions: a list of parameters, a per-task
/// loop, autograd.grad with create_graph, fast weights by hand, backward of each task's query loss, Adam. It is the
/// yardstick for the overhead of MetaLearn's per-task path. sine-maml draws its tasks with torch like the reference;
/// makeclass-maml takes its data from MetaLearn's TaskSamplers.MakeClassification (there is no plain-torch
/// make_classification) but trains by hand.
/// </summary>
internal static class HandwrittenMaml
{
    /// <summary>The hand-written version of a workload, or null when there is none.</summary>
    public static ResultLine? For(string workload, int iterations) => workload switch
    {
        "sine-maml" => Sine(iterations),
        "makeclass-maml" => MakeClass(iterations),
        _ => null,
    };

    public static ResultLine Sine(int iterations)
    {
        using var generator = new Generator(0);
        var spec = new Spec(new[] { 1, 40, 40, 1 }, MetaBatch: 25, Steps: 1, InnerLr: 0.01, (p, y) => F.mse_loss(p, y));
        var (times, metric) = Run(spec, iterations, generator, _ => SineTask(generator, 10), (p, y) => F.mse_loss(p, y).item<float>());
        return new ResultLine("sine-maml-handwritten", ResultLine.WarmMedian(times), metric);
    }

    public static ResultLine MakeClass(int iterations)
    {
        using var generator = new Generator(0);
        var sampler = TaskSamplers.MakeClassification(MakeClassificationTaskOptions.Workload);
        var spec = new Spec(new[] { 20, 64, 64, 3 }, MetaBatch: 16, Steps: 5, InnerLr: 0.1, (p, y) => F.cross_entropy(p, y));
        var (times, metric) = Run(spec, iterations, generator, seed =>
        {
            var e = sampler.Sample(seed);
            return new TaskData(e.SupportInput, e.SupportTargets, e.QueryInput, e.QueryTargets, e);
        }, (p, y) => p.argmax(1).eq(y).to(ScalarType.Float32).mean().item<float>());
        return new ResultLine("makeclass-maml-handwritten", ResultLine.WarmMedian(times), metric);
    }

    private static (List<double> Times, double Metric) Run(
        Spec spec, int iterations, Generator generator, Func<int, TaskData> drawTask, Func<Tensor, Tensor, double> score)
    {
        var parameters = MlpParameters(spec.Sizes, generator);
        using var adam = optim.Adam(parameters, lr: 1e-3);
        var times = new List<double>();
        var clock = new Stopwatch();
        int seed = 0;
        for (int it = 0; it < iterations; it++)
        {
            clock.Restart();
            adam.zero_grad();
            double total = 0;
            for (int t = 0; t < spec.MetaBatch; t++)
            {
                using var scope = NewDisposeScope();
                var (xs, ys, xq, yq, owner) = drawTask(++seed);
                using (owner)
                {
                    var fast = Adapt(spec, parameters, xs, ys, createGraph: true);
                    var loss = spec.Loss(Forward(xq, fast), yq) / spec.MetaBatch;
                    loss.backward();
                    total += loss.item<float>();
                }
            }

            adam.step();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        var scores = new List<double>();
        for (int t = 0; t < 200; t++)
        {
            using var scope = NewDisposeScope();
            var (xs, ys, xq, yq, owner) = drawTask(10_000_000 + t);
            using (owner)
            {
                var fast = Adapt(spec, parameters, xs, ys, createGraph: false);
                scores.Add(score(Forward(xq, fast), yq));
            }
        }

        foreach (var p in parameters)
        {
            p.Dispose();
        }

        return (times, scores.Average());
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

    private static Tensor[] Adapt(Spec spec, Tensor[] parameters, Tensor xs, Tensor ys, bool createGraph)
    {
        var fast = parameters;
        for (int step = 0; step < spec.Steps; step++)
        {
            var loss = spec.Loss(Forward(xs, fast), ys);
            var grads = autograd.grad(new[] { loss }, fast, retain_graph: createGraph, create_graph: createGraph);
            var next = new Tensor[fast.Length];
            for (int i = 0; i < next.Length; i++)
            {
                next[i] = fast[i] - (spec.InnerLr * grads[i]);
            }

            fast = next;
        }

        return fast;
    }

    /// <summary>y = A sin(x - phase), A ~ U[0.1, 5], phase ~ U[0, pi], x ~ U[-5, 5]; drawn with torch like the reference.</summary>
    private static TaskData SineTask(Generator generator, int shots)
    {
        var amplitude = empty(1).uniform_(0.1, 5.0, generator: generator);
        var phase = empty(1).uniform_(0.0, Math.PI, generator: generator);
        var x = empty(2 * shots, 1).uniform_(-5.0, 5.0, generator: generator);
        var y = amplitude * sin(x - phase);
        return new TaskData(x.narrow(0, 0, shots), y.narrow(0, 0, shots), x.narrow(0, shots, shots), y.narrow(0, shots, shots), null);
    }

    /// <summary>A task's tensors and, when they are not in the current dispose scope, what owns them.</summary>
    private readonly record struct TaskData(Tensor Xs, Tensor Ys, Tensor Xq, Tensor Yq, IDisposable? Owner);

    private sealed record Spec(int[] Sizes, int MetaBatch, int Steps, double InnerLr, Func<Tensor, Tensor, Tensor> Loss);
}
