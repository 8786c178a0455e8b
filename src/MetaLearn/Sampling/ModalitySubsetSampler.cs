namespace MetaLearn.Sampling;

/// <summary>
/// The episodes of another sampler restricted to some of their input tensors, for instance one modality of a
/// multimodal task to train a single-modality model on the very same tasks. The input indices may include a
/// <see cref="ModalityMask"/> (the last input); the mask is passed on as it is, so keep it only with the modalities it
/// describes. Episode seeds, targets and infos are unchanged.
/// </summary>
internal sealed class ModalitySubsetSampler : ITaskSampler
{
    private readonly int[] _inputs;

    /// <summary>Creates the view; <paramref name="inner"/> is not owned.</summary>
    /// <param name="inner">The sampler whose episodes are restricted.</param>
    /// <param name="inputs">Indices of the inputs to keep, in the order to keep them; at least one, no repeats.</param>
    /// <exception cref="ArgumentException">No index, a negative or repeated index.</exception>
    public ModalitySubsetSampler(ITaskSampler inner, params int[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length == 0 || inputs.Any(i => i < 0) || inputs.Distinct().Count() != inputs.Length)
        {
            throw new ArgumentException($"Give at least one input index, none negative or repeated (got [{string.Join(", ", inputs)}]).", nameof(inputs));
        }

        Inner = inner;
        _inputs = inputs.ToArray();
    }

    /// <summary>The sampler whose episodes are restricted.</summary>
    public ITaskSampler Inner { get; }

    /// <summary>The kept input indices.</summary>
    public IReadOnlyList<int> Inputs => _inputs;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The inner episode has fewer inputs than an index asks for.</exception>
    public Episode Sample(int seed)
    {
        using var full = Inner.Sample(seed);
        if (_inputs.Max() >= full.SupportInputs.Count)
        {
            throw new ArgumentException($"Episode {seed} has {full.SupportInputs.Count} inputs but input {_inputs.Max()} was asked for; check the indices against the sampler's modalities.");
        }

        using var scope = NewDisposeScope();
        return new Episode(
            _inputs.Select(i => full.SupportInputs[i].clone()).ToArray(),
            full.SupportTargets.clone(),
            _inputs.Select(i => full.QueryInputs[i].clone()).ToArray(),
            full.QueryTargets.clone(),
            full.Info);
    }
}
