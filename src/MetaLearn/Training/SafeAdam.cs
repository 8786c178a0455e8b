using TorchSharp.Modules;

namespace MetaLearn.Training;

/// <summary>
/// TorchSharp's Adam with a step that holds every native Scalar it passes to libtorch: the same tensor operations in the
/// same order as <see cref="Adam"/>, so the same results bit for bit. Created through <see cref="SafeOptimizers.Adam"/>,
/// which says why; the class keeps its name, which checkpoints record with the optimizer's state.
/// </summary>
internal sealed class SafeAdam : Adam
{
    /// <summary>Creates the optimizer; the arguments mean what they mean for TorchSharp's <see cref="Adam"/>.</summary>
    /// <param name="parameters">The parameters to optimize.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="beta1">Decay of the running mean of the gradient.</param>
    /// <param name="beta2">Decay of the running mean of the squared gradient.</param>
    /// <param name="eps">Added to the denominator.</param>
    /// <param name="weightDecay">L2 penalty.</param>
    /// <param name="amsgrad">Use the AMSGrad variant.</param>
    /// <param name="maximize">Maximize instead of minimize.</param>
    public SafeAdam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false, bool maximize = false)
        : base(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize)
    {
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(StepGroup, closure);

    private void StepGroup(ParamGroup group)
    {
        var options = (Options)group.Options;
        double beta1 = options.beta1!.Value;
        double beta2 = options.beta2!.Value;
        double weightDecay = options.weight_decay!.Value;
        bool amsgrad = options.amsgrad!.Value;
        bool maximize = options.maximize!.Value;
        double lr = options.LearningRate!.Value;
        using var beta1Scalar = beta1.ToScalar();
        using var oneMinusBeta1 = (1.0 - beta1).ToScalar();
        using var beta2Scalar = beta2.ToScalar();
        using var oneMinusBeta2 = (1.0 - beta2).ToScalar();
        using var eps = options.eps!.Value.ToScalar();
        using var one = 1.ToScalar();
        using var weightDecayScalar = weightDecay.ToScalar();
        foreach (var parameter in group.Parameters)
        {
            var state = (State)_state[parameter.Handle];
            var grad = parameter.grad;
            if (grad is null)
            {
                continue;
            }

            if (maximize)
            {
                grad = -grad;
            }

            state.step++;
            double biasCorrection1 = 1.0 - Math.Pow(beta1, state.step);
            double biasCorrection2 = 1.0 - Math.Pow(beta2, state.step);
            if (weightDecay != 0.0)
            {
                grad = grad.add(parameter, weightDecayScalar);
            }

            state.exp_avg.mul_(beta1Scalar).add_(grad, oneMinusBeta1);
            state.exp_avg_sq.mul_(beta2Scalar).addcmul_(grad, grad.conj(), oneMinusBeta2);
            Tensor second = state.exp_avg_sq;
            if (amsgrad)
            {
                var previous = state.max_exp_avg_sq;
                state.max_exp_avg_sq = maximum(previous, state.exp_avg_sq).DetachFromDisposeScope();
                previous.Dispose();
                second = state.max_exp_avg_sq;
            }

            using var sqrtBiasCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
            var denominator = second.sqrt().div(sqrtBiasCorrection2).add_(eps, one);
            using var negativeStepSize = (0.0 - (lr / biasCorrection1)).ToScalar();
            parameter.addcdiv_(state.exp_avg, denominator, negativeStepSize);
        }
    }
}
