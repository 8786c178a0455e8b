namespace MetaLearn.Algorithms;

/// <summary>
/// The inner loop's update directions (<see cref="InnerUpdateRule"/>) in differentiable tensor operations. Its Scalars
/// are held for its lifetime so no native Scalar is freed mid-call (see ScalarMath), and freed by <see cref="Dispose"/>.
/// </summary>
internal sealed class DifferentiableOptimizer : IDisposable
{
    private readonly InnerUpdateRule _rule;
    private readonly Scalar _momentum;
    private readonly Scalar _beta1;
    private readonly Scalar _oneMinusBeta1;
    private readonly Scalar _beta2;
    private readonly Scalar _oneMinusBeta2;
    private readonly Scalar _epsilon;
    private readonly Scalar _zero;
    private readonly Scalar[] _firstCorrection;
    private readonly Scalar[] _secondCorrection;

    public DifferentiableOptimizer(InnerLoopOptions options)
    {
        _rule = options.UpdateRule;
        _momentum = options.Momentum.ToScalar();
        _beta1 = options.AdamBeta1.ToScalar();
        _oneMinusBeta1 = (1 - options.AdamBeta1).ToScalar();
        _beta2 = options.AdamBeta2.ToScalar();
        _oneMinusBeta2 = (1 - options.AdamBeta2).ToScalar();
        _epsilon = options.AdamEpsilon.ToScalar();
        _zero = 0.0.ToScalar();

        // Adam's bias corrections 1 / (1 − β^t) for t = 1..Steps.
        _firstCorrection = Enumerable.Range(1, options.Steps).Select(t => (1 / (1 - Math.Pow(options.AdamBeta1, t))).ToScalar()).ToArray();
        _secondCorrection = Enumerable.Range(1, options.Steps).Select(t => (1 / (1 - Math.Pow(options.AdamBeta2, t))).ToScalar()).ToArray();
    }

    /// <summary>Frees the Scalars.</summary>
    public void Dispose()
    {
        foreach (var scalar in new[] { _momentum, _beta1, _oneMinusBeta1, _beta2, _oneMinusBeta2, _epsilon, _zero }.Concat(_firstCorrection).Concat(_secondCorrection))
        {
            scalar.Dispose();
        }
    }

    /// <summary>Fresh optimizer state for one run of the inner loop over <paramref name="parameters"/> weights.</summary>
    public State Start(int parameters) => new(this, parameters);

    /// <summary>The moments of one inner-loop run; its tensors belong to the current dispose scope.</summary>
    internal sealed class State
    {
        private readonly DifferentiableOptimizer _owner;
        private readonly Tensor?[] _first;
        private readonly Tensor?[] _second;
        private readonly int[] _updates;

        public State(DifferentiableOptimizer owner, int parameters)
        {
            _owner = owner;
            _first = new Tensor?[parameters];
            _second = new Tensor?[parameters];
            _updates = new int[parameters];
        }

        /// <summary>The direction the step size multiplies, for parameter <paramref name="index"/>'s gradient.</summary>
        public Tensor Direction(int index, Tensor grad)
        {
            var o = _owner;
            int t = _updates[index]++;
            switch (o._rule)
            {
                case InnerUpdateRule.Momentum:
                    _first[index] = _first[index] is null ? grad : _first[index]!.mul(o._momentum).Plus(grad);
                    return _first[index]!;
                case InnerUpdateRule.Adam:
                    _first[index] = _first[index] is null ? grad.mul(o._oneMinusBeta1) : _first[index]!.mul(o._beta1).add(grad, o._oneMinusBeta1);
                    var square = grad.Squared();
                    _second[index] = _second[index] is null ? square.mul(o._oneMinusBeta2) : _second[index]!.mul(o._beta2).add(square, o._oneMinusBeta2);
                    var firstHat = _first[index]!.mul(o._firstCorrection[t]);
                    var secondHat = _second[index]!.mul(o._secondCorrection[t]);
                    return firstHat.div(SafeSqrt(secondHat, o._zero).Plus(o._epsilon));
                default:
                    return grad;
            }
        }

        /// <summary>sqrt(x) for x ≥ 0 whose derivative at 0 is 0 instead of infinite (the value there is 0).</summary>
        private static Tensor SafeSqrt(Tensor x, Scalar zero)
        {
            var positive = x.gt(zero);
            return where(positive, where(positive, x, ones_like(x)).sqrt(), zeros_like(x));
        }
    }
}
