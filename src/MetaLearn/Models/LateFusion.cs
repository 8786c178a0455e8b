using TorchSharp.Modules;

namespace MetaLearn.Models;

/// <summary>
/// Weighted late fusion of modalities: f(x) = Σ_i w_i g_i(x_i), where branch g_i reads modality i and the fusion
/// weights w = softmax(fusion.logits) are parameters too, so they are meta-learned, can be re-weighted per task by the
/// inner loop, and are read back with <see cref="ModalityWeights()"/>. When the inputs end with a missing-modality mask
/// (an extra last input [N, M]: 1 where example n has modality m, 0 where it lacks it; see
/// <see cref="Sampling.ModalityOptions.MissingRate"/>), each example's weights are restricted to its present modalities
/// and renormalised to sum to 1: w_i(n) = mask_i(n) e^{l_i} / Σ_j mask_j(n) e^{l_j}. Every branch's output must have
/// the same shape. ANIL adapts only the fusion logits (the last parameter). Any <see cref="IFunctionalModel"/> can be a
/// branch; the fusion runs task-batched when every branch does.
/// </summary>
/// <remarks>
/// Ownership: the fusion owns its fusion logits; the branches stay their creator's to dispose unless
/// <c>ownsModels</c> is true. Either way it holds them, so it (and models adapted from it) keep running after their
/// owner disposes them; their memory is freed when the last of those is disposed too.
/// </remarks>
public sealed class LateFusion : IHeldModel
{
    private readonly BranchSet _branches;
    private readonly ParameterStore _fusion;
    private readonly SharedLifetime _lifetime;

    /// <summary>Creates the fusion over <paramref name="branches"/>.</summary>
    /// <param name="branches">One model per modality, in modality order, all of one dtype and device.</param>
    /// <param name="initialWeights">Initial fusion weights, positive (normalised to sum to 1); null gives each modality 1/M.</param>
    /// <param name="ownsModels">Whether the fusion takes over <paramref name="branches"/> and disposes them with itself; false leaves them to the caller.</param>
    /// <exception cref="ArgumentException">A weight is missing, not finite or not positive.</exception>
    /// <exception cref="ObjectDisposedException">A branch has been disposed.</exception>
    public LateFusion(IReadOnlyList<IFunctionalModel> branches, IReadOnlyList<double>? initialWeights = null, bool ownsModels = false)
    {
        ArgumentNullException.ThrowIfNull(branches);
        int m = branches.Count;
        if (initialWeights is not null && (initialWeights.Count != m || initialWeights.Any(w => !double.IsFinite(w) || w <= 0)))
        {
            throw new ArgumentException($"Give one finite, positive initial weight per branch ({m}), or null for 1/{m} each.", nameof(initialWeights));
        }

        _branches = new BranchSet(branches, "branch", ownsModels);
        double total = initialWeights?.Sum() ?? m;
        var logits = Enumerable.Range(0, m).Select(i => Math.Log((initialWeights?[i] ?? 1.0) / total)).ToArray();
        _fusion = new ParameterStore(branches[0].Device, branches[0].DType, seed: 0);
        _fusion.AddValues("fusion.logits", logits);
        Parameters = _branches.Parameters.Concat(_fusion.Parameters).ToArray();
        ParameterNames = _branches.Names.Concat(_fusion.Names).ToArray();
        _lifetime = new SharedLifetime(() =>
        {
            _branches.Dispose();
            _fusion.Dispose();
        });
    }

    /// <summary>The branches, one per modality.</summary>
    public IReadOnlyList<IFunctionalModel> Branches => _branches.Branches;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> ParameterNames { get; }

    /// <inheritdoc />
    /// <value>Every branch's buffers, named <c>branch{i}.</c> and the branch's name.</value>
    public IReadOnlyList<Tensor> Buffers => _branches.Buffers;

    /// <inheritdoc />
    public IReadOnlyList<string> BufferNames => _branches.BufferNames;

    /// <inheritdoc />
    /// <value>Every branch's generators, named <c>branch{i}.</c> and the branch's name.</value>
    public IReadOnlyList<Generator> Generators => _branches.Generators;

    /// <inheritdoc />
    public IReadOnlyList<string> GeneratorNames => _branches.GeneratorNames;

    /// <inheritdoc />
    public int HeadStart => Parameters.Count - 1;

    /// <inheritdoc />
    public Device Device => _fusion.Device;

    /// <inheritdoc />
    public ScalarType DType => _fusion.DType;

    /// <inheritdoc />
    public bool SupportsTaskBatching => _branches.SupportsTaskBatching;

    /// <summary>The current fusion weights, softmax of the model's own fusion logits: one per modality, summing to 1.</summary>
    public double[] ModalityWeights() => ModalityWeights(Parameters);

    /// <summary>The fusion weights that <paramref name="weights"/> (for instance weights adapted to a task) give: softmax of their last tensor.</summary>
    /// <param name="weights">One tensor per parameter, in <see cref="Parameters"/> order, without a task dimension.</param>
    /// <exception cref="ArgumentException">The count is wrong or the logits are not one value per modality.</exception>
    public double[] ModalityWeights(IReadOnlyList<Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ModelChecks.Weights(this, weights);
        var logits = weights[^1];
        if (logits.dim() != 1 || logits.shape[0] != Branches.Count)
        {
            throw new ArgumentException($"The fusion logits should be [{Branches.Count}] but are [{string.Join(", ", logits.shape)}]; pass weights without a task dimension.", nameof(weights));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return logits.detach().to(ScalarType.Float64).cpu().softmax(0).data<double>().ToArray();
    }

    /// <inheritdoc />
    public bool UsesParameter(int index, int step) => _branches.UsesParameter(index, step);

    /// <inheritdoc />
    public bool UsesBatchNormStatistics(BatchNormStatistics statistics) => Branches.Any(b => b.UsesBatchNormStatistics(statistics));

    /// <inheritdoc />
    public Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context) =>
        HeldModels.ForwardOwned(this, inputs, weights, context);

    /// <summary>
    /// Ends the owner's use: from now on <see cref="Forward"/> throws <see cref="ObjectDisposedException"/>. The fusion
    /// logits are freed, and owned branches disposed, now or when the last adapted model made from the fusion is
    /// disposed. A second call does nothing.
    /// </summary>
    public void Dispose() => _lifetime.DisposeOwner();

    /// <inheritdoc />
    SharedLifetime IHeldModel.Lifetime => _lifetime;

    /// <inheritdoc />
    Tensor IHeldModel.ForwardHeld(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context)
    {
        var (modalities, mask) = ModelChecks.ModalityInputs(this, inputs, weights, Branches.Count, "Late fusion");
        var fusion = weights[^1].softmax(-1);
        if (mask is not null)
        {
            fusion = BranchSet.Renormalise(context.TaskBatched ? fusion.unsqueeze(1) : fusion, mask);
        }

        // TorchSharp's tensor + tensor makes a temporary Scalar (alpha 1); hold it instead.
        using var one = 1.ToScalar();
        Tensor? sum = null;
        for (int i = 0; i < Branches.Count; i++)
        {
            var input = mask is null ? modalities[i] : ModalityMask.ZeroMissing(modalities[i], mask, i);
            var output = _branches.Forward(i, input, weights, context);
            var term = output * ModalityMask.Column(fusion, i, output.dim());
            sum = sum is null ? term : sum.Plus(term);
        }

        return sum!;
    }
}
