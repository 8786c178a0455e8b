using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using MetaLearn.Datasets;

namespace MetaLearn.Sampling;

/// <summary>
/// The fixed part of a synthetic multimodal task distribution: one random projection per modality (from the structure
/// seed, the same for every task), and the code that turns latent variables into features, draws missing-modality
/// masks and builds the input tensors in the layout of <see cref="ModalityMask"/>.
/// </summary>
internal sealed class ModalityViews
{
    private readonly double[][] _projections;

    public ModalityViews(IReadOnlyList<ModalityOptions> modalities, int latent, int structureSeed)
    {
        Modalities = modalities;
        Latent = latent;
        _projections = modalities.Select((m, i) => Projection(m.Features, latent, Seeds.Derive(structureSeed, 100, i))).ToArray();
    }

    public IReadOnlyList<ModalityOptions> Modalities { get; }

    public int Latent { get; }

    /// <summary>Whether episodes carry a mask (some modality has a missing rate above 0).</summary>
    public bool HasMask => Modalities.Any(m => m.MissingRate > 0);

    /// <summary>The projection matrix of modality <paramref name="modality"/>: Features x Latent (a copy).</summary>
    public Matrix<double> ProjectionOf(int modality)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(modality);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(modality, Modalities.Count);
        return Matrix<double>.Build.DenseOfRowMajor(Modalities[modality].Features, Latent, _projections[modality]);
    }

    /// <summary>Writes modality <paramref name="modality"/>'s features of one example: projection, non-linearity, noise.</summary>
    public void Render(int modality, ReadOnlySpan<double> latent, Span<float> target, Random random)
    {
        var o = Modalities[modality];
        var a = _projections[modality];
        for (int i = 0; i < o.Features; i++)
        {
            double s = 0;
            for (int j = 0; j < Latent; j++)
            {
                s += a[(i * Latent) + j] * latent[j];
            }

            if (o.NonLinear)
            {
                s = Math.Tanh(s);
            }

            target[i] = (float)(s + (o.NoiseStd * Normal.Sample(random, 0, 1)));
        }
    }

    /// <summary>Draws which of <paramref name="examples"/> examples lack which modality: [N, M] of 1 (present) and 0, or null when none can.</summary>
    public float[]? DrawMask(int examples, Random random)
    {
        if (!HasMask)
        {
            return null;
        }

        int m = Modalities.Count;
        var mask = new float[examples * m];
        for (int n = 0; n < examples; n++)
        {
            var row = mask.AsSpan(n * m, m);
            bool any = false;
            for (int k = 0; k < m; k++)
            {
                row[k] = random.NextDouble() < Modalities[k].MissingRate ? 0f : 1f;
                any |= row[k] > 0;
            }

            if (!any)
            {
                row[random.Next(m)] = 1f;
            }
        }

        return mask;
    }

    /// <summary>The input tensors of <paramref name="examples"/> examples: one per modality (NaN where missing), then the mask if any.</summary>
    /// <returns>Tensors owned by the caller (or the enclosing dispose scope).</returns>
    public Tensor[] ToInputs(float[][] features, float[]? mask, int examples)
    {
        int m = Modalities.Count;
        var inputs = new List<Tensor>(m + 1);
        for (int k = 0; k < m; k++)
        {
            int f = Modalities[k].Features;
            if (mask is not null)
            {
                for (int n = 0; n < examples; n++)
                {
                    if (mask[(n * m) + k] == 0)
                    {
                        features[k].AsSpan(n * f, f).Fill(float.NaN);
                    }
                }
            }

            inputs.Add(tensor(features[k], new long[] { examples, f }));
        }

        if (mask is not null)
        {
            inputs.Add(tensor(mask, new long[] { examples, m }));
        }

        return inputs.ToArray();
    }

    /// <summary>A features x latent matrix with orthonormal columns (or orthonormal rows when features &lt; latent), row-major.</summary>
    private static double[] Projection(int features, int latent, int seed)
    {
        var normal = new Normal(0, 1, SyntheticRandom.Create(seed));
        Matrix<double> a;
        if (features >= latent)
        {
            a = Matrix<double>.Build.Random(features, latent, normal).QR().Q.SubMatrix(0, features, 0, latent);
        }
        else
        {
            a = Matrix<double>.Build.Random(latent, features, normal).QR().Q.SubMatrix(0, latent, 0, features).Transpose();
        }

        return a.ToRowMajorArray();
    }
}
