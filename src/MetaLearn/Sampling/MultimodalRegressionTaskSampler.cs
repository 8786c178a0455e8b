using MathNet.Numerics.LinearAlgebra;
using MetaLearn.Datasets;
using MetaLearn.Tasks;
using static TorchSharp.torch;

namespace MetaLearn.Sampling;

/// <summary>
/// Multimodal regression tasks in which each modality sees part of the function's inputs:
/// y = Σ_k A_k sin(u_k − φ_k) over the informative modalities k, with u_k uniform on [InputMin, InputMax] and, per
/// task, amplitudes A_k and phases φ_k uniform in their ranges. Modality k shows only its own u_k, through a fixed
/// random projection to its features plus noise (<see cref="ModalityOptions"/>); a noise modality shows an independent
/// uniform variable the same way. No modality alone can predict y; a sum of per-modality terms (late fusion) can.
/// Targets are [N, 1] float32; missing modalities follow <see cref="ModalityMask"/>.
/// </summary>
public sealed class MultimodalRegressionTaskSampler : TaskSampler<MultimodalRegressionTaskOptions>
{
    private readonly ModalityViews _views;

    /// <summary>Creates the sampler and its fixed projections; the options are validated here.</summary>
    /// <exception cref="ArgumentException">A range of the options is reversed or not finite.</exception>
    public MultimodalRegressionTaskSampler(MultimodalRegressionTaskOptions? options = null)
        : base(options ?? new MultimodalRegressionTaskOptions())
    {
        AllocationSize.Episode("multimodal regression", 1, Options.Shots, Options.Queries, Options.Modalities.Max(m => m.Features));
        _views = new ModalityViews(Options.Modalities, 1, Options.StructureSeed);
    }

    /// <summary>Whether episodes carry the missing-modality mask as their last input.</summary>
    public bool HasMask => _views.HasMask;

    /// <summary>The fixed projection of modality <paramref name="modality"/> from its latent variables to its features: Features x latent (a copy).</summary>
    public Matrix<double> ProjectionOf(int modality) => _views.ProjectionOf(modality);

    /// <summary>The amplitude and phase of each modality's term in the task of <paramref name="seed"/> (amplitude 0 for a noise modality).</summary>
    public (double Amplitude, double Phase)[] Terms(int seed)
    {
        var o = Options;
        var random = SyntheticRandom.Create(Seeds.Derive(seed, 0, 0));
        return o.Modalities.Select(m => m.Kind == ModalityKind.Informative
            ? (random.Uniform(o.AmplitudeMin, o.AmplitudeMax), random.Uniform(o.PhaseMin, o.PhaseMax))
            : (0.0, 0.0)).ToArray();
    }

    /// <inheritdoc />
    public override Episode Sample(int seed)
    {
        var o = Options;
        var terms = Terms(seed);
        var random = SyntheticRandom.Create(Seeds.Derive(seed, 1, 0));
        var latent = new double[1];

        Tensor[] Draw(int n, out float[] targets)
        {
            targets = new float[n];
            var features = o.Modalities.Select(x => new float[n * x.Features]).ToArray();
            for (int row = 0; row < n; row++)
            {
                double y = 0;
                for (int k = 0; k < o.Modalities.Count; k++)
                {
                    latent[0] = random.Uniform(o.InputMin, o.InputMax);
                    y += terms[k].Amplitude * Math.Sin(latent[0] - terms[k].Phase);
                    int f = o.Modalities[k].Features;
                    _views.Render(k, latent, features[k].AsSpan(row * f, f), random);
                }

                targets[row] = (float)y;
            }

            return _views.ToInputs(features, _views.DrawMask(n, random), n);
        }

        var support = Draw(o.Shots, out var ys);
        var query = Draw(o.Queries, out var yq);
        using var scope = NewDisposeScope();
        return new Episode(
            support,
            tensor(ys, new long[] { o.Shots, 1 }),
            query,
            tensor(yq, new long[] { o.Queries, 1 }),
            new EpisodeInfo(1, o.Shots, o.Queries, seed, TaskKind.Regression));
    }
}
