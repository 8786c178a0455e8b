namespace MetaLearn;

/// <summary>
/// Tensor arithmetic without TorchSharp's temporary native Scalars. An implicit <c>double → Scalar</c> conversion
/// (<c>t * 0.5</c>, <c>full(shape, 0.5)</c>, <c>clamp_(0, 1)</c>), and some TorchSharp members that pass a literal
/// on to another overload (<c>a + b</c> and <c>add(b)</c> pass alpha 1, <c>square()</c> passes exponent 2), make a
/// Scalar that nothing keeps alive during the native call, so a garbage collection triggered by another thread may
/// free it mid-call (seen as a random libtorch "toFloat" failure after thousands of iterations). Here every Scalar is
/// either held for the process (the constants) or held and disposed around the call.
/// <c>tests/MetaLearn.Tests/ScalarTemporaryScanTests.cs</c> fails when library code makes such a temporary again.
/// </summary>
internal static class ScalarMath
{
    // Static, so rooted for the process: never finalized while a native call reads them.
    private static readonly Scalar One = 1.ToScalar();
    private static readonly Scalar Two = 2.ToScalar();

    /// <summary><paramref name="tensor"/> × <paramref name="factor"/>; the caller owns the result.</summary>
    public static Tensor Times(this Tensor tensor, double factor)
    {
        using var scalar = factor.ToScalar();
        return tensor.mul(scalar);
    }

    /// <summary><paramref name="tensor"/> + <paramref name="other"/> (what <c>a + b</c> computes); the caller owns the result.</summary>
    public static Tensor Plus(this Tensor tensor, Tensor other) => tensor.add(other, One);

    /// <summary><paramref name="tensor"/> + <paramref name="value"/> (what <c>add(value)</c> computes); the caller owns the result.</summary>
    public static Tensor Plus(this Tensor tensor, Scalar value) => tensor.add(value, One);

    /// <summary><paramref name="tensor"/>² (what <c>square()</c> computes); the caller owns the result.</summary>
    public static Tensor Squared(this Tensor tensor) => tensor.pow(Two);

    /// <summary>
    /// The value of a one-element tensor. TorchSharp's <c>ToDouble()</c> is <c>ToScalar().ToDouble()</c>: the Scalar it
    /// reads is unreferenced during the read, so a collection can free it mid-call (seen as libtorch's "toLong" abort).
    /// </summary>
    public static double ReadDouble(this Tensor tensor)
    {
        using var scalar = tensor.ToScalar();
        return scalar.ToDouble();
    }

    /// <summary>The value of a one-element integer tensor (see <see cref="ReadDouble"/>).</summary>
    public static long ReadInt64(this Tensor tensor)
    {
        using var scalar = tensor.ToScalar();
        return scalar.ToInt64();
    }

    /// <summary>A tensor of <paramref name="shape"/> filled with <paramref name="value"/>; the caller owns it.</summary>
    public static Tensor Filled(long[] shape, double value, ScalarType dtype, Device? device = null)
    {
        using var scalar = value.ToScalar();
        return full(shape, scalar, dtype: dtype, device: device);
    }

    /// <summary>Clamps <paramref name="tensor"/> in place to [<paramref name="min"/>, <paramref name="max"/>] and returns it.</summary>
    public static Tensor ClampInPlace(this Tensor tensor, double min, double max)
    {
        using var low = min.ToScalar();
        using var high = max.ToScalar();
        return tensor.clamp_(low, high);
    }

    /// <summary>The int64 labels 0, 0, ..., 1, 1, ... (<paramref name="ways"/> classes, <paramref name="perClass"/> each); the caller owns them.</summary>
    public static Tensor ClassLabels(int ways, int perClass)
    {
        var labels = new long[(long)ways * perClass];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = i / perClass;
        }

        return tensor(labels);
    }
}
