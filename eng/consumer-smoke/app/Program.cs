// Consumer smoke test for the MetaLearn NuGet package (see eng/consumer-smoke/README.md).
// Computes a second-order gradient with TorchSharp in float64 and prints it next to the analytic value.
// f(x) = x^3 * sin(x)
// f''(x) = 6x sin(x) + 6x^2 cos(x) - x^3 sin(x)
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

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
