using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MetaLearn.Models;

/// <summary>
/// Feature-level fusion: each modality's encoder maps it to features, the features are concatenated, and a shared MLP
/// head maps them to the output. ANIL adapts the head's last layer.
/// </summary>
public sealed class FeatureFusion : IFunctionalModel
{
    private readonly BranchSet _encoders;
    private readonly Mlp _head;

    /// <summary>Creates the fusion; it owns <paramref name="encoders"/> and disposes them with itself.</summary>
    /// <param name="encoders">One encoder per modality producing [N, F_i] features, all of one dtype and device.</param>
    /// <param name="head">The head's layer sizes; the first must equal Σ F_i.</param>
    public FeatureFusion(IReadOnlyList<IFunctionalModel> encoders, MlpOptions head)
    {
        ArgumentNullException.ThrowIfNull(head);
        _encoders = new BranchSet(encoders, "encoder");
        _head = new Mlp(head with { DType = encoders[0].DType, Device = encoders[0].Device });
        Parameters = _encoders.Parameters.Concat(_head.Parameters).ToArray();
        ParameterNames = _encoders.Names.Concat(_head.ParameterNames.Select(n => "head." + n)).ToArray();
    }

    /// <summary>The encoders, one per modality.</summary>
    public IReadOnlyList<IFunctionalModel> Encoders => _encoders.Branches;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> ParameterNames { get; }

    /// <inheritdoc />
    public int HeadStart => _encoders.Count + _head.HeadStart;

    /// <inheritdoc />
    public Device Device => _head.Device;

    /// <inheritdoc />
    public ScalarType DType => _head.DType;

    /// <inheritdoc />
    public bool SupportsTaskBatching => _encoders.SupportsTaskBatching;

    /// <inheritdoc />
    public bool UsesParameter(int index, int step) => _encoders.UsesParameter(index, step);

    /// <inheritdoc />
    public Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(weights);
        if (inputs.Count != Encoders.Count)
        {
            throw new ArgumentException($"Feature fusion of {Encoders.Count} modalities got {inputs.Count} input tensors; give one per modality.", nameof(inputs));
        }

        var features = Enumerable.Range(0, Encoders.Count)
            .Select(i => Encoders[i].Forward(new[] { inputs[i] }, _encoders.Segment(weights, i), context))
            .ToArray();
        var fused = cat(features, -1);
        return _head.Forward(new[] { fused }, weights.Skip(_encoders.Count).ToArray(), context);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _encoders.Dispose();
        _head.Dispose();
    }
}
