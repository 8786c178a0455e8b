using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Algorithms;

/// <summary>
/// A linear or cosine classifier on embeddings (<see cref="FineTuning"/>'s, in pre-training and fitted per task):
/// logits = W f + b, on L2-normalised f when <see cref="NormalizeFeatures"/>; or, with a <see cref="Scale"/>,
/// s · cos(f, w_c).
/// </summary>
/// <param name="Weight">W, classes by features.</param>
/// <param name="Bias">b, one per class (linear only).</param>
/// <param name="Scale">s as a one-element tensor for the cosine classifier; null for the linear one.</param>
/// <param name="NormalizeFeatures">Whether the linear classifier sees L2-normalised embeddings.</param>
internal sealed record Classifier(Tensor Weight, Tensor? Bias, Tensor? Scale, bool NormalizeFeatures)
{
    // Held for the process (see ScalarMath): added under the square root so a zero embedding normalises to zero.
    private static readonly Scalar Epsilon = 1e-12.ToScalar();

    /// <summary>The logits of <paramref name="features"/> <c>[N, D]</c>: <c>[N, classes]</c>.</summary>
    /// <returns>A tensor in the current dispose scope.</returns>
    public Tensor Logits(Tensor features)
    {
        if (Scale is not null)
        {
            return Normalized(features).matmul(Normalized(Weight).t()).mul(Scale);
        }

        return F.linear(NormalizeFeatures ? Normalized(features) : features, Weight, Bias);
    }

    /// <summary>Fits a classifier of the options' kind to support embeddings by full-batch Adam on cross-entropy, from a deterministic start.</summary>
    /// <param name="features">Support embeddings <c>[N, D]</c>, without gradients.</param>
    /// <param name="targets">Classes 0..<paramref name="ways"/>−1 <c>[N]</c>.</param>
    /// <param name="ways">The number of classes.</param>
    /// <param name="options">The head, steps, step size, scale and normalisation.</param>
    /// <param name="optimizer">Adam's update directions (held by the learner).</param>
    /// <returns>The fitted classifier, in the current dispose scope. The linear one starts at zero, the cosine one at the class means.</returns>
    public static Classifier Fit(Tensor features, Tensor targets, int ways, FineTuningOptions options, DifferentiableOptimizer optimizer)
    {
        bool cosine = options.Head == FineTuningHead.Cosine;
        var oneHot = F.one_hot(targets, ways).to(features.dtype);
        var weight = cosine
            ? oneHot.t().matmul(Normalized(features)) / oneHot.sum(0).unsqueeze(-1)
            : zeros(new long[] { ways, features.shape[1] }, dtype: features.dtype, device: features.device);
        var bias = cosine ? null : zeros(new long[] { ways }, dtype: features.dtype, device: features.device);
        var scale = cosine ? ScalarMath.Filled(Array.Empty<long>(), options.Scale, features.dtype, features.device) : null;
        var state = optimizer.Start(2);
        using var negativeStepSize = (-options.StepSize).ToScalar();
        for (int step = 0; step < options.Steps; step++)
        {
            var w = weight.detach().requires_grad_(true);
            var b = bias?.detach().requires_grad_(true);
            var loss = F.cross_entropy(new Classifier(w, b, scale, options.NormalizeFeatures).Logits(features), targets);
            var grads = autograd.grad(new[] { loss }, b is null ? new[] { w } : new[] { w, b });
            weight = w.detach().add(state.Direction(0, grads[0]), negativeStepSize);
            bias = b is null ? null : b.detach().add(state.Direction(1, grads[1]), negativeStepSize);
        }

        return new Classifier(weight, bias, scale, options.NormalizeFeatures);
    }

    /// <summary>Each row divided by its L2 norm.</summary>
    private static Tensor Normalized(Tensor x) => x.div(x.Squared().sum(-1, keepdim: true).Plus(Epsilon).sqrt());
}
