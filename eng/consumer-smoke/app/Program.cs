// Consumer smoke test for the MetaLearn NuGet package (see eng/consumer-smoke/README.md).
// 1. Computes a second-order gradient with TorchSharp in float64 and prints it next to the analytic value.
//    f(x) = x^3 * sin(x)
//    f''(x) = 6x sin(x) + 6x^2 cos(x) - x^3 sin(x)
// 2. Meta-trains MAML for a few iterations, saves the learner, adapts and predicts; then loads the file in a fresh
//    process of this app (`predict FILE`), which adapts and predicts the same rows, and compares: the same classes and
//    probabilities within 1e-6 (floating point may differ in the last bits between processes: libtorch's results
//    depend on its thread count and on what else the process ran).
// 3. Saves an MLP's weights as a PyTorch state dict and loads them into another MLP (PyTorchWeights).
using System.Diagnostics;
using System.Globalization;
using MetaLearn.Algorithms;
using MetaLearn.Deployment;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;
using TorchSharp;
using static TorchSharp.torch;

if (args.Length == 2 && args[0] == "predict")
{
    using var loaded = LearnerFile.Load(args[1]);
    Console.WriteLine($"predictions={Predictions(loaded.Algorithm)}");
    return;
}

// Touch a MetaLearn type so the package's assembly is actually resolved and loaded.
var metaLearn = typeof(MetaLearn.Tasks.Episode).Assembly.GetName();
Console.WriteLine($"metalearn_assembly={metaLearn.Name} {metaLearn.Version}");

const double X0 = 0.7;
using var x = torch.tensor(X0, dtype: ScalarType.Float64, requires_grad: true);
using var f = x.pow(3) * x.sin();
var first = torch.autograd.grad(new[] { f }, new[] { x }, create_graph: true, retain_graph: true)[0];
var second = torch.autograd.grad(new[] { first }, new[] { x })[0];
double value = second.item<double>();

double expected = (6 * X0 * Math.Sin(X0)) + (6 * X0 * X0 * Math.Cos(X0)) - (X0 * X0 * X0 * Math.Sin(X0));

// Report which copy of TorchSharp's native shim the process mapped (Linux only).
string shim = "unknown";
if (File.Exists("/proc/self/maps"))
{
    shim = File.ReadLines("/proc/self/maps")
        .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Where(parts => parts.Length >= 6 && parts[5].EndsWith("/libLibTorchSharp.so", StringComparison.Ordinal))
        .Select(parts => parts[5])
        .FirstOrDefault() ?? "not-mapped";
}

Console.WriteLine($"native_shim={shim}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"second_derivative={value:R}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"expected={expected:R}"));

// 2. A real algorithm from the package: meta-train, save, predict here and in a fresh process.
var sampler = TaskSamplers.MakeClassification(MakeClassificationTaskOptions.Workload);
using (var model = new Mlp(new MlpOptions { LayerSizes = new[] { 20, 32, 3 }, Seed = 1 }))
using (var learner = new Maml(model, new InnerLoopOptions { Steps = 3, StepSize = 0.1 }))
using (var trainer = new MetaTrainer(learner, new MetaTrainerOptions { Iterations = 5, MetaBatchSize = 4 }))
{
    var training = trainer.Train(sampler);
    string file = Path.Combine(Path.GetTempPath(), $"consumer-smoke-{Environment.ProcessId}.metalearn");
    try
    {
        LearnerFile.Save(learner, file);
        string here = Predictions(learner);
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(System.Reflection.Assembly.GetEntryAssembly()!.Location);
        }

        start.ArgumentList.Add("predict");
        start.ArgumentList.Add(file);
        using var child = Process.Start(start)!;
        string output = child.StandardOutput.ReadToEnd();
        string errors = child.StandardError.ReadToEnd();
        child.WaitForExit();
        string there = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("predictions=", StringComparison.Ordinal))?["predictions=".Length..] ?? $"(none; exit {child.ExitCode}: {errors})";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"learner_training=maml {training.Iterations} iterations, last query loss {training.QueryLosses[^1]:F4}"));
        Console.WriteLine($"learner_bytes={new FileInfo(file).Length}");
        Console.WriteLine($"learner_predictions_here={here}");
        Console.WriteLine($"learner_predictions_fresh_process={there}");
        double difference = MaxDifference(here, there);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"learner_max_abs_difference={difference:R}"));
        Console.WriteLine($"learner_roundtrip={(difference <= 1e-6 && Classes(here).SequenceEqual(Classes(there)) ? "same" : "DIFFERENT")}");
    }
    finally
    {
        File.Delete(file);
    }
}

// 3. PyTorch weights (TorchSharp.PyBridge, a dependency of the package): save an MLP as a PyTorch state dict, load it
//    into a differently seeded MLP, and compare.
using (var saved = new Mlp(new MlpOptions { LayerSizes = new[] { 4, 8, 2 }, Seed = 1 }))
using (var restored = new Mlp(new MlpOptions { LayerSizes = new[] { 4, 8, 2 }, Seed = 2 }))
{
    string file = Path.Combine(Path.GetTempPath(), $"consumer-smoke-{Environment.ProcessId}.pt");
    try
    {
        PyTorchWeights.Save(saved, file);
        var result = PyTorchWeights.Load(restored, file);
        bool same = saved.Parameters.Zip(restored.Parameters).All(p => p.First.shape.SequenceEqual(p.Second.shape) && p.First.eq(p.Second).all().item<bool>());
        Console.WriteLine($"pytorch_weights_roundtrip={(same && result.LoadedKeys.Count == 4 ? "identical" : "DIFFERENT")}");
    }
    finally
    {
        File.Delete(file);
    }
}

// Adapts to the support set of a fixed task and prints the query rows' class probabilities as float bits.
static string Predictions(IMetaAlgorithm algorithm)
{
    var sampler = TaskSamplers.MakeClassification(MakeClassificationTaskOptions.Workload);
    using var episode = sampler.Sample(12345);
    using var adapted = algorithm.Adapt(episode.SupportInputs[0], episode.SupportTargets);
    using var probabilities = adapted.PredictProbabilities(episode.QueryInputs[0]);
    return string.Join(",", probabilities.data<float>().ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}

static double[] Parse(string predictions) =>
    predictions.Split(',').Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : double.NaN).ToArray();

// The largest |here - there| over the probabilities (infinite when the other process printed none or other rows).
static double MaxDifference(string here, string there)
{
    double[] a = Parse(here), b = Parse(there);
    return a.Length != b.Length || b.Any(double.IsNaN) ? double.PositiveInfinity : a.Zip(b).Max(p => Math.Abs(p.First - p.Second));
}

// The predicted class of each query row (3 classes a row).
static int[] Classes(string predictions) =>
    Parse(predictions).Chunk(3).Select(row => Array.IndexOf(row, row.Max())).ToArray();
