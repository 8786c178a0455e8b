using TorchSharp.Modules;

namespace MetaLearn.Algorithms;

/// <summary>
/// Differentiable gradient steps on a support set (plain SGD, momentum or Adam, see <see cref="InnerUpdateRule"/>):
/// the one inner loop every gradient-based algorithm uses. It holds its update rule's Scalars: whoever creates it
/// disposes it (an algorithm's own loop with the algorithm, an adaptation's when the adaptation ends).
/// </summary>
internal sealed class InnerLoop : IDisposable
{
    private readonly IFunctionalModel _model;
    private readonly InnerLoopOptions _options;
    private readonly bool[] _adapted;
    private readonly IReadOnlyList<Parameter>? _learnedStepSizes;
    private readonly DifferentiableOptimizer _optimizer;

    public InnerLoop(IFunctionalModel model, InnerLoopOptions options, bool headOnly, IReadOnlyList<Parameter>? learnedStepSizes)
    {
        _model = model;
        _options = options;
        _adapted = Enumerable.Range(0, model.Parameters.Count).Select(i => !headOnly || i >= model.HeadStart).ToArray();
        if (!_adapted.Any(a => a))
        {
            throw new ArgumentException("The model has no head parameters to adapt; ANIL needs a model with a head (HeadStart < parameter count).");
        }

        _learnedStepSizes = learnedStepSizes;
        _optimizer = new DifferentiableOptimizer(options);
    }

    /// <summary>Frees the update rule's Scalars.</summary>
    public void Dispose() => _optimizer.Dispose();

    /// <summary>Which parameters the inner loop changes.</summary>
    public IReadOnlyList<bool> Adapted => _adapted;

    /// <summary>
    /// Runs the inner loop from <paramref name="initial"/>. With <paramref name="createGraph"/> the result is
    /// differentiable through every step (second order); otherwise the step gradients are constants.
    /// <paramref name="afterStep"/> sees the weights after each step (for the multi-step loss). The support passes run
    /// in <paramref name="passes"/>' contexts (meta-training's, or an adaptation's, which changes nothing in the model).
    /// </summary>
    /// <returns>The adapted weights; they and every intermediate belong to the current dispose scope.</returns>
    public IReadOnlyList<Tensor> Adapt(
        EpisodeSide support,
        IReadOnlyList<Tensor> initial,
        bool createGraph,
        Passes passes,
        Action<int, IReadOnlyList<Tensor>>? afterStep = null)
    {
        var weights = initial;
        var optimizer = _optimizer.Start(weights.Count);
        for (int step = 0; step < _options.Steps; step++)
        {
            var prediction = _model.Forward(support.Inputs, weights, passes.Step(step, support.TaskBatched));
            var loss = support.LossSum(prediction, _options.Loss);
            if (!loss.requires_grad)
            {
                throw new InvalidOperationException("The support loss does not depend on any weight; the model's forward pass must use the weights it is given.");
            }

            var adaptable = new List<Tensor>();
            var adaptNow = new bool[weights.Count];
            for (int i = 0; i < weights.Count; i++)
            {
                adaptNow[i] = _adapted[i] && _model.UsesParameter(i, step);
                if (adaptNow[i])
                {
                    adaptable.Add(weights[i]);
                }
            }

            // allow_unused: a weight the forward pass does not reach comes back as an empty handle (libtorch would abort
            // the process without it); it gets a zero gradient, so it stays as it is.
            var grads = torch.autograd.grad(new[] { loss }, adaptable, retain_graph: createGraph, create_graph: createGraph, allow_unused: true);
            var next = new Tensor[weights.Count];
            int g = 0;
            for (int i = 0; i < weights.Count; i++)
            {
                next[i] = adaptNow[i] ? Update(weights[i], optimizer.Direction(i, GradientOrZero(grads[g++], weights[i])), i, step) : weights[i];
            }

            weights = next;
            afterStep?.Invoke(step + 1, weights);
        }

        return weights;
    }

    private static Tensor GradientOrZero(Tensor gradient, Tensor weight) => gradient.IsInvalid ? zeros_like(weight) : gradient;

    private Tensor Update(Tensor weight, Tensor direction, int parameter, int step)
    {
        switch (_options.StepSizes)
        {
            case StepSizeMode.Fixed:
                // Held and disposed around the call (see ScalarMath); autograd keeps its own copy of the value.
                using (var negativeStepSize = (-_options.StepSize).ToScalar())
                {
                    return weight.add(direction, negativeStepSize);
                }

            case StepSizeMode.PerElement:
                return weight - (_learnedStepSizes![parameter] * direction);
            default:
                // Test-time adaptation may take more steps than were trained: later steps reuse the last learned step size.
                return weight - (_learnedStepSizes![parameter][Math.Min(step, _learnedStepSizes[parameter].shape[0] - 1)] * direction);
        }
    }
}
