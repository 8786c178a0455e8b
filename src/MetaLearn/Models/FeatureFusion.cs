using TorchSharp.Modules;

namespace MetaLearn.Models;

/// <summary>
/// Feature-level fusion: each modality's encoder maps it to features, the features are concatenated, and a shared head
/// maps them to the output. The modalities have equal weights 1/M; when the inputs end with a missing-modality mask (an
/// extra last input [N, M]: 1 where example n has modality m, 0 where it lacks it; see
/// <see cref="Sampling.ModalityOptions.MissingRate"/>), an example's missing modalities get weight 0 and its present
/// ones share the weight equally, so encoder i's features are scaled by M·mask_i / Σ_j mask_j (1 when every modality is
/// present, 0 for a missing one). Any <see cref="IFunctionalModel"/> can be an encoder or the head; the fusion runs
/// task-batched when all of them do. ANIL adapts the head's own head parameters.
/// </summary>
/// <remarks>
/// Ownership: a head the fusion builds (from <see cref="MlpOptions"/>) is its own; the encoders, and a head it is
/// given, stay their creator's to dispose unless <c>ownsModels</c> is true. Either way it holds them, so it (and models
/// adapted from it) keep running after their owner disposes them; their memory is freed when the last of those is
/// disposed too.
/// </remarks>
public sealed class FeatureFusion : IHeldModel
{
    private readonly BranchSet _encoders;
    private readonly BranchSet _heads;
    private readonly IFunctionalModel _head;
    private readonly SharedLifetime _lifetime;

    /// <summary>Creates the fusion with an MLP head, which it owns.</summary>
    /// <param name="encoders">One encoder per modality producing [N, F_i] features, all of one dtype and device.</param>
    /// <param name="head">The head's layer sizes; the first must equal Σ F_i. Its dtype and device are the encoders'.</param>
    /// <param name="ownsModels">Whether the fusion takes over <paramref name="encoders"/> and disposes them with itself; false leaves them to the caller.</param>
    /// <exception cref="ObjectDisposedException">An encoder has been disposed.</exception>
    public FeatureFusion(IReadOnlyList<IFunctionalModel> encoders, MlpOptions head, bool ownsModels = false)
        : this(encoders, CreateHead(encoders, head), ownsModels, ownsHead: true)
    {
    }

    /// <summary>Creates the fusion.</summary>
    /// <param name="encoders">One encoder per modality producing [N, F_i] features, all of one dtype and device.</param>
    /// <param name="head">Any functional model reading the concatenated features [N, Σ F_i], of the encoders' dtype and device.</param>
    /// <param name="ownsModels">Whether the fusion takes over <paramref name="encoders"/> and <paramref name="head"/> and disposes them with itself; false leaves them to the caller.</param>
    /// <exception cref="ArgumentException">The head's dtype or device differs from the encoders'.</exception>
    /// <exception cref="ObjectDisposedException">An encoder or the head has been disposed.</exception>
    public FeatureFusion(IReadOnlyList<IFunctionalModel> encoders, IFunctionalModel head, bool ownsModels = false)
        : this(encoders, head, ownsModels, ownsModels)
    {
    }

    private FeatureFusion(IReadOnlyList<IFunctionalModel> encoders, IFunctionalModel head, bool ownsEncoders, bool ownsHead)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(encoders);
        if (encoders.Count > 0 && (head.DType != encoders[0].DType || head.Device.type != encoders[0].Device.type))
        {
            if (ownsHead)
            {
                head.Dispose();
            }

            throw new ArgumentException($"The head is {head.DType} on {head.Device.type} but the encoders are {encoders[0].DType} on {encoders[0].Device.type}; build them alike.", nameof(head));
        }

        try
        {
            _encoders = new BranchSet(encoders, "encoder", ownsEncoders);
        }
        catch
        {
            if (ownsHead)
            {
                head.Dispose();
            }

            throw;
        }

        try
        {
            _heads = new BranchSet(new[] { head }, "head", ownsHead);
        }
        catch
        {
            _encoders.Dispose();
            throw;
        }

        _head = head;
        Parameters = _encoders.Parameters.Concat(_head.Parameters).ToArray();
        ParameterNames = _encoders.Names.Concat(_head.ParameterNames.Select(n => "head." + n)).ToArray();
        Buffers = _encoders.Buffers.Concat(_head.Buffers).ToArray();
        BufferNames = _encoders.BufferNames.Concat(_head.BufferNames.Select(n => "head." + n)).ToArray();
        Generators = _encoders.Generators.Concat(_head.Generators).ToArray();
        GeneratorNames = _encoders.GeneratorNames.Concat(_head.GeneratorNames.Select(n => "head." + n)).ToArray();
        _lifetime = new SharedLifetime(() =>
        {
            _encoders.Dispose();
            _heads.Dispose();
        });
    }

    /// <summary>The encoders, one per modality.</summary>
    public IReadOnlyList<IFunctionalModel> Encoders => _encoders.Branches;

    /// <summary>The head reading the concatenated features.</summary>
    public IFunctionalModel Head => _head;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> ParameterNames { get; }

    /// <inheritdoc />
    /// <value>The encoders' buffers (named <c>encoder{i}.</c> and the encoder's name), then the head's (<c>head.</c>).</value>
    public IReadOnlyList<Tensor> Buffers { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> BufferNames { get; }

    /// <inheritdoc />
    /// <value>The encoders' generators (named <c>encoder{i}.</c> and the encoder's name), then the head's (<c>head.</c>).</value>
    public IReadOnlyList<Generator> Generators { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> GeneratorNames { get; }

    /// <inheritdoc />
    public int HeadStart => _encoders.Count + _head.HeadStart;

    /// <inheritdoc />
    public Device Device => _head.Device;

    /// <inheritdoc />
    public ScalarType DType => _head.DType;

    /// <inheritdoc />
    public bool SupportsTaskBatching => _encoders.SupportsTaskBatching && _head.SupportsTaskBatching;

    /// <inheritdoc />
    public bool UsesParameter(int index, int step) => index < _encoders.Count
        ? _encoders.UsesParameter(index, step)
        : _head.UsesParameter(index - _encoders.Count, step);

    /// <inheritdoc />
    public bool UsesBatchNormStatistics(BatchNormStatistics statistics) =>
        Encoders.Any(e => e.UsesBatchNormStatistics(statistics)) || _head.UsesBatchNormStatistics(statistics);

    /// <inheritdoc />
    public Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context) =>
        HeldModels.ForwardOwned(this, inputs, weights, context);

    /// <summary>
    /// Ends the owner's use: from now on <see cref="Forward"/> throws <see cref="ObjectDisposedException"/>. The models
    /// the fusion owns are disposed now, or when the last adapted model made from the fusion is disposed. A second
    /// call does nothing.
    /// </summary>
    public void Dispose() => _lifetime.DisposeOwner();

    /// <inheritdoc />
    SharedLifetime IHeldModel.Lifetime => _lifetime;

    /// <inheritdoc />
    Tensor IHeldModel.ForwardHeld(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context)
    {
        var (modalities, mask) = ModelChecks.ModalityInputs(this, inputs, weights, Encoders.Count, "Feature fusion");
        Tensor? scale = null;
        if (mask is not null)
        {
            scale = BranchSet.Renormalise(mask, mask).Times(Encoders.Count);
        }

        var features = new Tensor[Encoders.Count];
        for (int i = 0; i < features.Length; i++)
        {
            var input = scale is null ? modalities[i] : ModalityMask.ZeroMissing(modalities[i], mask!, i);
            features[i] = _encoders.Forward(i, input, weights, context);
            if (scale is not null)
            {
                features[i] = features[i] * ModalityMask.Column(scale, i, features[i].dim());
            }
        }

        var fused = cat(features, -1);
        return _heads.Forward(0, fused, weights.Skip(_encoders.Count).ToArray(), context);
    }

    private static Mlp CreateHead(IReadOnlyList<IFunctionalModel> encoders, MlpOptions head)
    {
        ArgumentNullException.ThrowIfNull(encoders);
        ArgumentNullException.ThrowIfNull(head);
        if (encoders.Count == 0)
        {
            throw new ArgumentException("Fusion needs at least one branch.", nameof(encoders));
        }

        return new Mlp(head with { DType = encoders[0].DType, Device = encoders[0].Device });
    }
}
