using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MetaLearn.Models;

/// <summary>
/// Weighted late fusion of modalities: f(x) = Σ_i w_i g_i(x_i), where branch g_i reads modality i and the fusion
/// weights w are parameters too, so the inner loop can re-weight modalities per task. Every branch's output must have
/// the same shape. ANIL adapts only the fusion weights (the last parameter).
/// </summary>
public sealed class LateFusion : IFunctionalModel
{
    private readonly BranchSet _branches;
    private readonly ParameterStore _fusion;

    /// <summary>Creates the fusion; it owns <paramref name="branches"/> and disposes them with itself.</summary>
    /// <param name="branches">One model per modality, in modality order, all of one dtype and device.</param>
    /// <param name="initialWeights">Initial fusion weights; null gives each modality 1/M.</param>
    public LateFusion(IReadOnlyList<IFunctionalModel> branches, IReadOnlyList<double>? initialWeights = null)
    {
        _branches = new BranchSet(branches, "branch");
        int m = branches.Count;
        if (initialWeights is not null && (initialWeights.Count != m || initialWeights.Any(w => !double.IsFinite(w))))
        {
            throw new ArgumentException($"Give one finite initial weight per branch ({m}), or null for 1/{m} each.", nameof(initialWeights));
        }

        _fusion = new ParameterStore(branches[0].Device, branches[0].DType, seed: 0);
        _fusion.AddValues("fusion.weights", initialWeights?.ToArray() ?? Enumerable.Repeat(1.0 / m, m).ToArray());
        Parameters = _branches.Parameters.Concat(_fusion.Parameters).ToArray();
        ParameterNames = _branches.Names.Concat(_fusion.Names).ToArray();
    }

    /// <summary>The branches, one per modality.</summary>
    public IReadOnlyList<IFunctionalModel> Branches => _branches.Branches;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> ParameterNames { get; }

    /// <inheritdoc />
    public int HeadStart => Parameters.Count - 1;

    /// <inheritdoc />
    public Device Device => _fusion.Device;

    /// <inheritdoc />
    public ScalarType DType => _fusion.DType;

    /// <inheritdoc />
    public bool SupportsTaskBatching => _branches.SupportsTaskBatching;

    /// <inheritdoc />
    public bool UsesParameter(int index, int step) => _branches.UsesParameter(index, step);

    /// <inheritdoc />
    public Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(weights);
        if (inputs.Count != Branches.Count)
        {
            throw new ArgumentException($"Late fusion of {Branches.Count} modalities got {inputs.Count} input tensors; give one per modality.", nameof(inputs));
        }

        var fusionWeights = weights[^1];
        Tensor? sum = null;
        for (int i = 0; i < Branches.Count; i++)
        {
            var output = Branches[i].Forward(new[] { inputs[i] }, _branches.Segment(weights, i), context);
            var w = context.TaskBatched
                ? fusionWeights[.., i].view(Enumerable.Repeat(1L, (int)output.dim()).Select((one, d) => d == 0 ? -1 : one).ToArray())
                : fusionWeights[i];
            var term = output * w;
            sum = sum is null ? term : sum.Plus(term);
        }

        return sum!;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _branches.Dispose();
        _fusion.Dispose();
    }
}
