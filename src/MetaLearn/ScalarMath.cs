using TorchSharp;
using static TorchSharp.torch;

namespace MetaLearn;

/// <summary>
/// Tensor-times-number without TorchSharp's implicit <c>double → Scalar</c> conversion. That conversion makes a
/// temporary native Scalar that nothing keeps alive during the native call, so the garbage collector may free it
/// mid-call (seen as a random libtorch "toFloat" failure after thousands of iterations). Here the Scalar is held and
/// disposed deterministically.
/// </summary>
internal static class ScalarMath
{
    /// <summary><paramref name="tensor"/> × <paramref name="factor"/>; the caller owns the result.</summary>
    public static Tensor Times(this Tensor tensor, double factor)
    {
        using var scalar = factor.ToScalar();
        return tensor.mul(scalar);
    }

    /// <summary><paramref name="tensor"/> + <paramref name="value"/>; the caller owns the result.</summary>
    public static Tensor Plus(this Tensor tensor, double value)
    {
        using var scalar = value.ToScalar();
        return tensor.add(scalar);
    }
}
