namespace MetaLearn.Tasks;

/// <summary>
/// How an episode says that some examples lack a modality. An episode of M modalities in which any modality may be
/// missing carries M + 1 input tensors: the M modalities, then the mask, a floating tensor [N, M] ([T, N, M] when
/// stacked) holding 1 where example n has modality m and 0 where it lacks it. The features of a missing modality are
/// NaN, so a model that ignores the mask fails loudly (a NaN loss) instead of learning from a fill value. Episodes
/// without missing data carry no mask (M inputs). The fusion models (<c>LateFusion</c>, <c>FeatureFusion</c>) read
/// the mask; a single-modality model never sees one. Users meet this layout through
/// <see cref="Sampling.ModalityOptions.MissingRate"/>, whose documentation states it.
/// </summary>
internal static class ModalityMask
{
    /// <summary>Splits <paramref name="inputs"/> into the <paramref name="modalities"/> modality tensors and the mask, if any.</summary>
    /// <param name="inputs">An episode's inputs: M modalities, optionally followed by the mask.</param>
    /// <param name="modalities">M, the number of modalities the caller expects.</param>
    /// <param name="model">The caller's name, for the error message.</param>
    /// <returns>The modality tensors and the mask (null when every modality is present); the tensors are <paramref name="inputs"/>' own.</returns>
    /// <exception cref="ArgumentException">The count is neither M nor M + 1, or the mask's last dimension is not M.</exception>
    public static (IReadOnlyList<Tensor> Modalities, Tensor? Mask) Split(IReadOnlyList<Tensor> inputs, int modalities, string model)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == modalities)
        {
            return (inputs, null);
        }

        if (inputs.Count != modalities + 1)
        {
            throw new ArgumentException(
                $"{model} of {modalities} modalities got {inputs.Count} input tensors; give one per modality, optionally followed by a missing-modality mask [N, {modalities}].",
                nameof(inputs));
        }

        var mask = inputs[^1];
        if (mask.dim() < 2 || mask.shape[^1] != modalities || !is_floating_point(mask))
        {
            throw new ArgumentException(
                $"{model}: the last input should be the missing-modality mask, a floating tensor [N, {modalities}] of 1 (present) and 0 (missing), but it has shape [{string.Join(", ", mask.shape)}] and type {mask.dtype}.",
                nameof(inputs));
        }

        return (inputs.Take(modalities).ToArray(), mask);
    }

    /// <summary>Column <paramref name="modality"/> of <paramref name="mask"/> shaped to broadcast against a tensor of rank <paramref name="rank"/>.</summary>
    /// <returns>A view owned by the caller (or the enclosing dispose scope): [N, 1, ...] or [T, N, 1, ...].</returns>
    public static Tensor Column(Tensor mask, int modality, long rank)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var column = mask.select(-1, modality);
        var shape = column.shape.Concat(Enumerable.Repeat(1L, (int)(rank - column.dim()))).ToArray();
        return column.reshape(shape);
    }

    /// <summary>
    /// <paramref name="input"/> with the examples that lack modality <paramref name="modality"/> set to 0 (their NaN
    /// removed), so a branch can run on the whole batch; the caller must still drop those examples' outputs.
    /// </summary>
    /// <returns>A tensor owned by the caller (or the enclosing dispose scope).</returns>
    public static Tensor ZeroMissing(Tensor input, Tensor mask, int modality)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(mask);
        var present = Column(mask, modality, input.dim()).to(ScalarType.Bool);
        return where(present, input, zeros_like(input));
    }
}
