using static TorchSharp.torch;

namespace MetaLearn.Tests;

/// <summary>Central finite differences of a scalar function of tensors (float64 tensors for meaningful results).</summary>
internal static class FiniteDifferences
{
    /// <summary>(f(x + h e_i) − f(x − h e_i)) / 2h for every element of every tensor, in order; the tensors are restored.</summary>
    public static double[] Central(IEnumerable<Tensor> tensors, Func<double> f, double h = 1e-6)
    {
        var result = new List<double>();
        foreach (var t in tensors)
        {
            var flat = t.detach().view(-1);
            for (long i = 0; i < flat.shape[0]; i++)
            {
                result.Add(Central(flat, i, f, h));
            }
        }

        return result.ToArray();
    }

    /// <summary>The central difference of <paramref name="f"/> along element <paramref name="index"/> of the flat view.</summary>
    public static double Central(Tensor flat, long index, Func<double> f, double h = 1e-6)
    {
        double original = flat[index].ToDouble();
        Set(flat, index, original + h);
        double plus = f();
        Set(flat, index, original - h);
        double minus = f();
        Set(flat, index, original);
        return (plus - minus) / (2 * h);
    }

    private static void Set(Tensor flat, long index, double value)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        flat[index] = tensor(value, dtype: flat.dtype);
    }
}
