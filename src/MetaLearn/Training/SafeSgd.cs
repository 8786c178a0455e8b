using TorchSharp.Modules;

namespace MetaLearn.Training;

/// <summary>
/// TorchSharp's SGD with a step that holds every native Scalar it passes to libtorch: the same tensor operations in the
/// same order as <see cref="SGD"/>, so the same results bit for bit. Created through <see cref="SafeOptimizers.Sgd"/>,
/// which says why; the class keeps its name, which checkpoints record with the optimizer's state.
/// </summary>
internal sealed class SafeSgd : SGD
{
    /// <summary>Creates the optimizer; the arguments mean what they mean for TorchSharp's <see cref="SGD"/>.</summary>
    /// <param name="parameters">The parameters to optimize.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="momentum">Momentum factor (0: none).</param>
    /// <param name="dampening">Dampening of the momentum.</param>
    /// <param name="weightDecay">L2 penalty.</param>
    /// <param name="nesterov">Nesterov momentum.</param>
    /// <param name="maximize">Maximize instead of minimize.</param>
    public SafeSgd(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false, bool maximize = false)
        : base(parameters, lr, momentum, dampening, weightDecay, nesterov, maximize)
    {
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(StepGroup, closure);

    private void StepGroup(ParamGroup group)
    {
        var o = (Options)group.Options;
        (double momentum, double weightDecay, double lr) = (o.momentum!.Value, o.weight_decay!.Value, o.LearningRate!.Value);
        using Scalar momentumScalar = momentum.ToScalar(), oneMinusDampening = (1.0 - o.dampening!.Value).ToScalar(), weightDecayScalar = weightDecay.ToScalar();
        using var signedLr = (o.maximize!.Value ? lr : 0.0 - lr).ToScalar();
        foreach (var parameter in group.Parameters)
        {
            var state = (State)_state[parameter.Handle];
            var grad = parameter.grad;
            if (grad is null)
            {
                continue;
            }

            if (weightDecay != 0.0)
            {
                grad = grad.add(parameter, weightDecayScalar);
            }

            if (momentum != 0.0)
            {
                var buffer = state.momentum_buffer;
                if (buffer is null)
                {
                    buffer = state.momentum_buffer = grad.clone().detach().DetachFromDisposeScope();
                }
                else
                {
                    buffer.mul_(momentumScalar).add_(grad, oneMinusDampening);
                }

                grad = o.nesterov!.Value ? grad.add(buffer, momentumScalar) : buffer;
            }

            parameter.add_(grad, signedLr);
        }
    }
}
