using MetaLearn.Datasets;

namespace MetaLearn.Sampling;

/// <summary>
/// Multimodal regression tasks in which each modality sees part of the function's inputs:
/// y = Σ_k A_k sin(u_k − φ_k) over the informative modalities k, with u_k uniform on [InputMin, InputMax] and, per
/// task, amplitudes A_k and phases φ_k uniform in their ranges (<see cref="MultimodalRegressionTaskOptions.Ranges"/>). Modality k shows only its own u_k, through a fixed
/// random projection to its features plus noise (<see cref="ModalityOptions"/>); a noise modality shows an independent
/// uniform variable the same way. No modality alone can predict y; a sum of per-modality terms (late fusion) can.
/// Targets are [N, 1] float32; missing modalities follow <see cref="ModalityMask"/>.
/// </summary>
/// <param name="options">The task distribution (validated here); default <c>new MultimodalRegressionTaskOptions()</c>.</param>
internal sealed class MultimodalRegressionTaskSampler(MultimodalRegressionTaskOptions? options = null) : ModalityTaskSampler<MultimodalRegressionTaskOptions>(options ?? new MultimodalRegressionTaskOptions(), "multimodal regression")
{
    /// <summary>The amplitude and phase of each modality's term in the task of <paramref name="seed"/> (amplitude 0 for a noise modality).</summary>
    public (double Amplitude, double Phase)[] Terms(int seed)
    {
        var r = Options.Ranges;
        var random = SyntheticRandom.Create(Seeds.Derive(seed, 0, 0));
        return Options.Modalities.Select(m => m.Noise
            ? (0.0, 0.0)
            : (random.Uniform(r.AmplitudeMin, r.AmplitudeMax), random.Uniform(r.PhaseMin, r.PhaseMax))).ToArray();
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
                    latent[0] = random.Uniform(o.Ranges.InputMin, o.Ranges.InputMax);
                    y += terms[k].Amplitude * Math.Sin(latent[0] - terms[k].Phase);
                    int f = o.Modalities[k].Features;
                    Views.Render(k, latent, features[k].AsSpan(row * f, f), random);
                }

                targets[row] = (float)y;
            }

            return Views.ToInputs(features, Views.DrawMask(n, random), n);
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
