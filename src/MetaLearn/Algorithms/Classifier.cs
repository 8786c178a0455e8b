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

    /// <summary>
    /// Fits a classifier of the options' kind to support embeddings: <see cref="FineTuningOptions.Steps"/> full-batch Adam
    /// steps (β = 0.9, 0.999) on the mean cross-entropy, with its gradient written out (no autograd graph), from a
    /// deterministic start: zero for the linear classifier, the normalised class means for the cosine one.
    /// </summary>
    /// <param name="features">Support embeddings <c>[N, D]</c>.</param>
    /// <param name="targets">Classes 0..<paramref name="ways"/>−1 <c>[N]</c>.</param>
    /// <param name="ways">The number of classes.</param>
    /// <param name="options">The head, steps, step size, scale and normalisation.</param>
    /// <returns>The fitted classifier, in the current dispose scope.</returns>
    public static Classifier Fit(Tensor features, Tensor targets, int ways, FineTuningOptions options)
    {
        bool cosine = options.Head == FineTuningHead.Cosine;
        using var noGrad = no_grad();
        var f = cosine || options.NormalizeFeatures ? Normalized(features.detach()) : features.detach();
        var oneHot = F.one_hot(targets, ways).to(f.dtype);
        var weight = cosine
            ? PrototypicalNetworks.ClassMeans(oneHot, f)
            : zeros(new long[] { ways, f.shape[1] }, dtype: f.dtype, device: f.device);
        var bias = cosine ? null : zeros(new long[] { ways }, dtype: f.dtype, device: f.device);
        var scale = cosine ? ScalarMath.Filled(Array.Empty<long>(), options.Scale, f.dtype, f.device) : null;
        var adamWeight = new Adam(weight);
        var adamBias = bias is null ? null : new Adam(bias);
        using var perRow = (1.0 / f.shape[0]).ToScalar();
        for (int step = 1; step <= options.Steps; step++)
        {
            using var scope = NewDisposeScope();
            var classifier = new Classifier(weight, bias, scale, options.NormalizeFeatures);

            // d(mean cross-entropy)/d(logits) = (softmax − one-hot) / N.
            var residual = classifier.Logits(f).softmax(-1).sub(oneHot).mul(perRow);
            if (cosine)
            {
                var norms = weight.Squared().sum(-1, keepdim: true).Plus(Epsilon).sqrt();
                var unit = weight.div(norms);
                var towardUnit = residual.t().matmul(f).mul(scale!);
                adamWeight.Step(towardUnit.sub(unit.mul(towardUnit.mul(unit).sum(-1, keepdim: true))).div(norms), step, options.StepSize);
            }
            else
            {
                adamWeight.Step(residual.t().matmul(f), step, options.StepSize);
                adamBias!.Step(residual.sum(0), step, options.StepSize);
            }
        }

        return new Classifier(weight, bias, scale, options.NormalizeFeatures);
    }

    /// <summary>Each row divided by its L2 norm.</summary>
    private static Tensor Normalized(Tensor x) => x.div(x.Squared().sum(-1, keepdim: true).Plus(Epsilon).sqrt());

    /// <summary>Adam's moments for one tensor, updated in place (β1 = 0.9, β2 = 0.999, ε = 1e-8).</summary>
    private sealed class Adam(Tensor value)
    {
        private static readonly Scalar Beta1 = 0.9.ToScalar();
        private static readonly Scalar OneMinusBeta1 = 0.1.ToScalar();
        private static readonly Scalar Beta2 = 0.999.ToScalar();
        private static readonly Scalar OneMinusBeta2 = 0.001.ToScalar();
        private static readonly Scalar AdamEpsilon = 1e-8.ToScalar();
        private readonly Tensor _first = zeros_like(value);
        private readonly Tensor _second = zeros_like(value);

        /// <summary>Moves the value against <paramref name="gradient"/> by Adam's step <paramref name="step"/> (1-based).</summary>
        public void Step(Tensor gradient, int step, double stepSize)
        {
            _first.mul_(Beta1).add_(gradient, OneMinusBeta1);
            _second.mul_(Beta2).addcmul_(gradient, gradient, OneMinusBeta2);
            double corrected = stepSize * Math.Sqrt(1 - Math.Pow(0.999, step)) / (1 - Math.Pow(0.9, step));
            using var negative = (-corrected).ToScalar();
            using var denominator = _second.sqrt().Plus(AdamEpsilon);
            value.addcdiv_(_first, denominator, negative);
        }
    }
}
