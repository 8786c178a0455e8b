using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Tasks;
using static TorchSharp.torch;

namespace MetaLearn.Tests;

/// <summary>Small models and episodes shared by the tests.</summary>
internal static class TestEpisodes
{
    /// <summary>
    /// Runs <paramref name="run"/> task-batched (true) and per task (false) and checks that the mean query loss agrees to
    /// 1e-12 and the meta-gradient to a relative 1e-10.
    /// </summary>
    public static void TaskBatchedEqualsPerTask(Func<bool, (double Loss, double[] Grad)> run)
    {
        var batched = run(true);
        var perTask = run(false);
        batched.Loss.Should().BeApproximately(perTask.Loss, 1e-12);
        MaxRelativeError(batched.Grad, perTask.Grad).Should().BeLessThan(1e-10);
    }

    public static Mlp TinyRegressor(int seed = 1, ScalarType dtype = ScalarType.Float64) =>
        new(new MlpOptions { LayerSizes = new[] { 1, 8, 8, 1 }, Seed = seed, DType = dtype });

    public static Mlp TinyClassifier(int ways = 3, int features = 4, int seed = 1, ScalarType dtype = ScalarType.Float64) =>
        new(new MlpOptions { LayerSizes = new[] { features, 16, ways }, Seed = seed, DType = dtype });

    public static Episode Sine(int seed, int shots = 5, int queries = 5) =>
        new SinusoidTaskSampler(new SinusoidTaskOptions { Shots = shots, Queries = queries }).Sample(seed);

    public static Episode Gaussian(int seed, int ways = 3, int features = 4, int shots = 2, int queries = 3) =>
        new GaussianClassificationTaskSampler(new GaussianClassificationTaskOptions { Ways = ways, Features = features, Shots = shots, Queries = queries }).Sample(seed);

    public static double[] Flatten(IEnumerable<Tensor> tensors) =>
        tensors.SelectMany(t => t.detach().cpu().to(ScalarType.Float64).data<double>().ToArray()).ToArray();

    public static double[] Grads(IEnumerable<Tensor> parameters) =>
        Flatten(parameters.Select(p => p.grad ?? zeros_like(p)));

    /// <summary>
    /// The mean query loss of the meta-training objective (training-mode passes, as the meta-gradient sees them), for
    /// finite differences; the gradient it accumulates is cleared.
    /// </summary>
    public static double TrainingQueryLoss(MetaLearn.Algorithms.IMetaAlgorithm algorithm, Episode episode)
    {
        double loss = algorithm.AccumulateMetaGradient(new[] { episode }, 0).MeanQueryLoss;
        ZeroGrads(algorithm.MetaParameters);
        return loss;
    }

    public static void ZeroGrads(IEnumerable<Tensor> parameters)
    {
        foreach (var p in parameters)
        {
            p.grad?.zero_();
        }
    }

    public static double MaxRelativeError(double[] actual, double[] expected)
    {
        double scale = expected.Select(Math.Abs).Max();
        return actual.Zip(expected).Max(p => Math.Abs(p.First - p.Second)) / scale;
    }
}
