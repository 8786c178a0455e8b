namespace MetaLearn.Algorithms;

/// <summary>
/// Implicit MAML (Rajeswaran et al., 2019). Each task adapts by gradient descent on the proximal objective
/// L_support(φ) + λ/2 ‖φ − θ‖², started at θ and safeguarded so that the objective never increases (a step that would
/// raise it is not taken and the task's step size is halved; see <see cref="ProximalDescent"/> for the divergence it prevents). At the (approximate) minimiser φ*, the meta-gradient of the query loss is
/// (I + H/λ)⁻¹ ∇L_query(φ*), H the Hessian of the support loss at φ*; it is found by conjugate gradient with
/// Hessian-vector products (double backward), never by differentiating through the inner steps, and each step's weights
/// are freed when the next exist, so memory does not grow with <see cref="InnerAdaptationOptions.Steps"/> (measured
/// with the benchmark's <c>inner-memory</c> on sine-maml's setup: peak resident growth 36.1, 37.1, 38.6 MB for 5, 20, 80
/// steps, against 26.4, 36.3, 76.1 MB for second-order MAML). Every forward pass runs with inner-step context 0 (a model with per-step
/// batch-norm sets uses its first set; the other sets get no meta-gradient).
/// </summary>
public sealed class Imaml : EpisodicLearner
{
    private readonly Scalar _regularization;
    private readonly Scalar _inverseRegularization;
    private readonly Scalar _zero;
    private readonly bool[] _used;

    /// <summary>Creates iMAML over <paramref name="model"/> (not owned).</summary>
    public Imaml(IFunctionalModel model, ImamlOptions? options = null)
        : base("imaml", model, (options ?? new ImamlOptions()).TaskBatching)
    {
        ModelChecks.AdaptsEveryWeight(model, "iMAML");
        Options = options ?? new ImamlOptions();
        _regularization = Options.Regularization.ToScalar();
        _inverseRegularization = (1 / Options.Regularization).ToScalar();
        _zero = 0.0.ToScalar();
        _used = Enumerable.Range(0, model.Parameters.Count).Select(i => model.UsesParameter(i, 0)).ToArray();
    }

    /// <summary>The options.</summary>
    public ImamlOptions Options { get; }

    /// <inheritdoc />
    /// <remarks>
    /// The adaptation is the inner loop: <see cref="AdaptationOptions.Steps"/> (default <see cref="InnerAdaptationOptions.Steps"/>)
    /// gradient steps of size <see cref="AdaptationOptions.StepSize"/> (default <see cref="InnerAdaptationOptions.StepSize"/>) on
    /// the proximal objective from the meta-learned θ; predictions use inner-step context 0, as in training.
    /// </remarks>
    public override AdaptedModel Adapt(IReadOnlyList<Tensor> supportInputs, Tensor supportTargets, AdaptationOptions? options = null)
    {
        ThrowIfDisposed();
        int steps = options?.Steps ?? Options.Steps;
        double stepSize = options?.StepSize ?? Options.StepSize;
        return Adaptation.Run(Model, supportInputs, supportTargets, steps, classesFromHead: true, Options.Loss, options?.Kind, options?.Seed ?? 0,
            (_, support, passes) => new AdaptedState(Proximal(support, steps, stepSize, passes)) { StepsTaken = 0 });
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _regularization.Dispose();
        _inverseRegularization.Dispose();
        _zero.Dispose();
    }

    private protected override MetaBatchRunner.TaskStep StepAt(int iteration) => Step;

    /// <summary>
    /// Gradient descent on the proximal objective from θ, safeguarded so that it never increases (see
    /// <see cref="ProximalDescent"/>); memory does not depend on the number of steps.
    /// </summary>
    /// <returns>The adapted weights φ* (detached; parameters the forward pass does not use stay at θ).</returns>
    private Tensor[] Proximal(EpisodeSide support, int steps, double stepSize, Passes passes)
    {
        var theta = support.InitialWeights(Model.Parameters).Select(t => t.detach()).ToArray();
        var context = passes.Step(0, support.TaskBatched);
        return ProximalDescent.Minimize(
            theta, _used, phi => support.Loss(Model.Forward(support.Inputs, phi, context), Options.Loss), steps, stepSize, Options.Regularization, support.TaskBatched);
    }

    private (Tensor Losses, Tensor? Accuracies) Step(EpisodeSide support, EpisodeSide query, int tasks)
    {
        var phi = Proximal(support, Options.Steps, Options.StepSize, Passes.MetaTraining);
        var leaves = phi.Select((w, i) => _used[i] ? w.detach().requires_grad_(true) : w).ToArray();
        var adapted = Used(leaves);
        var context = new ForwardContext(0, support.TaskBatched);

        // The query is normalised with the support statistics under φ* (in Support mode), so its gradient includes their path.
        var prediction = SupportStatistics.QueryForward(Model, support.Inputs, query.Inputs, leaves, context);
        var perTask = query.Loss(prediction, Options.Loss);
        var queryGradient = torch.autograd.grad(new[] { perTask.sum() }, adapted);

        var supportLoss = support.LossSum(Model.Forward(support.Inputs, leaves, context), Options.Loss);
        var supportGradient = torch.autograd.grad(new[] { supportLoss }, adapted, retain_graph: true, create_graph: true);

        // (I + H/λ) v, with H v the derivative of ⟨∇L_support, v⟩. The zero-weighted sum keeps every weight in the graph
        // (libtorch aborts on the gradient of an unused input).
        IReadOnlyList<Tensor> Apply(IReadOnlyList<Tensor> v)
        {
            Tensor inner = adapted.Select(a => a.sum().mul(_zero)).Aggregate((a, b) => a.Plus(b));
            for (int i = 0; i < v.Count; i++)
            {
                inner = inner.Plus((supportGradient[i] * v[i]).sum());
            }

            var hv = torch.autograd.grad(new[] { inner }, adapted, retain_graph: true);
            return v.Select((vi, i) => vi.add(hv[i], _inverseRegularization)).ToArray();
        }

        var metaGradient = ConjugateGradient.Solve(Apply, queryGradient.ToArray(), Options.ConjugateGradientSteps, support.TaskBatched);

        // Adds Σ_t x_t / T to θ.grad through a linear surrogate.
        Tensor? surrogate = null;
        int u = 0;
        for (int i = 0; i < _used.Length; i++)
        {
            if (!_used[i])
            {
                continue;
            }

            var p = Model.Parameters[i];
            var term = ((support.TaskBatched ? p.unsqueeze(0) : p) * metaGradient[u++]).sum();
            surrogate = surrogate is null ? term : surrogate.Plus(term);
        }

        surrogate!.Times(1.0 / tasks).backward();
        return (perTask.detach(), query.Accuracy(prediction));
    }

    private Tensor[] Used(IReadOnlyList<Tensor> weights) => weights.Where((_, i) => _used[i]).ToArray();
}
