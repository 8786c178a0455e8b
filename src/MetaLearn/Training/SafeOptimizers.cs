using TorchSharp.Modules;

namespace MetaLearn.Training;

/// <summary>
/// TorchSharp's Adam and SGD with a step that holds every native Scalar it passes to libtorch. TorchSharp 0.107's own
/// <c>step</c> methods convert their coefficients to temporary Scalars (<c>mul_(beta1)</c>, <c>add_(grad, 1 - beta1)</c>,
/// ...) that a garbage collection on another thread can free mid-call, as one triggered by
/// <see cref="MetaTrainerOptions.PrefetchBatches"/>' background thread can. These optimizers run the same tensor
/// operations in the same order, so their results are bit for bit those of TorchSharp's <see cref="TorchSharp.Modules.Adam"/>
/// and <see cref="SGD"/>; they are instances of those classes, with the same options, state, state files and
/// learning-rate schedulers. <see cref="MetaTrainer"/>'s default outer optimizer is <see cref="Adam"/>; pass either
/// as <see cref="MetaTrainerOptions.OptimizerFactory"/> (<c>OptimizerFactory = p =&gt; SafeOptimizers.Sgd(p, 0.01, momentum: 0.9)</c>).
/// </summary>
public static class SafeOptimizers
{
    /// <summary>Creates Adam; the arguments mean what they mean for TorchSharp's <see cref="TorchSharp.Modules.Adam"/>.</summary>
    /// <param name="parameters">The parameters to optimize.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="beta1">Decay of the running mean of the gradient.</param>
    /// <param name="beta2">Decay of the running mean of the squared gradient.</param>
    /// <param name="eps">Added to the denominator.</param>
    /// <param name="weightDecay">L2 penalty.</param>
    /// <param name="amsgrad">Use the AMSGrad variant.</param>
    /// <param name="maximize">Maximize instead of minimize.</param>
    /// <returns>A new optimizer the caller disposes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A coefficient is NaN or infinite, <paramref name="lr"/>, <paramref name="eps"/> or <paramref name="weightDecay"/>
    /// is negative, or a beta is outside [0, 1) (PyTorch's rules; a NaN would otherwise reach the parameters silently).
    /// </exception>
    public static Adam Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false, bool maximize = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        OptionChecks.NonNegativeFinite(lr, nameof(lr), "The learning rate must be finite and non-negative (e.g. 0.001).");
        OptionChecks.Valid(beta1, beta1 >= 0 && beta1 < 1, nameof(beta1), "beta1 must be in [0, 1) (e.g. 0.9).");
        OptionChecks.Valid(beta2, beta2 >= 0 && beta2 < 1, nameof(beta2), "beta2 must be in [0, 1) (e.g. 0.999).");
        OptionChecks.NonNegativeFinite(eps, nameof(eps), "eps must be finite and non-negative (e.g. 1e-8).");
        OptionChecks.NonNegativeFinite(weightDecay, nameof(weightDecay), "The weight decay must be finite and non-negative (0: none).");
        return new SafeAdam(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
    }

    /// <summary>Creates SGD; the arguments mean what they mean for TorchSharp's <see cref="SGD"/>.</summary>
    /// <param name="parameters">The parameters to optimize.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="momentum">Momentum factor (0: none).</param>
    /// <param name="dampening">Dampening of the momentum.</param>
    /// <param name="weightDecay">L2 penalty.</param>
    /// <param name="nesterov">Nesterov momentum.</param>
    /// <param name="maximize">Maximize instead of minimize.</param>
    /// <returns>A new optimizer the caller disposes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A coefficient is NaN or infinite, or <paramref name="lr"/>, <paramref name="momentum"/> or
    /// <paramref name="weightDecay"/> is negative (PyTorch's rules; a NaN would otherwise reach the parameters silently).
    /// </exception>
    /// <exception cref="ArgumentException"><paramref name="nesterov"/> is set without momentum or with dampening (as in PyTorch).</exception>
    public static SGD Sgd(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false, bool maximize = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        OptionChecks.NonNegativeFinite(lr, nameof(lr), "The learning rate must be finite and non-negative (e.g. 0.01).");
        OptionChecks.NonNegativeFinite(momentum, nameof(momentum), "The momentum must be finite and non-negative (0: none).");
        OptionChecks.Valid(dampening, double.IsFinite(dampening), nameof(dampening), "The dampening must be finite (0: none).");
        OptionChecks.NonNegativeFinite(weightDecay, nameof(weightDecay), "The weight decay must be finite and non-negative (0: none).");
        if (nesterov && (momentum <= 0 || dampening != 0))
        {
            throw new ArgumentException($"Nesterov momentum needs a momentum above 0 and no dampening (got momentum {momentum}, dampening {dampening}).", nameof(nesterov));
        }

        return new SafeSgd(parameters, lr, momentum, dampening, weightDecay, nesterov, maximize);
    }
}
