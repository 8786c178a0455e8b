namespace MetaLearn.Sampling;

/// <summary>
/// One modality of a synthetic multimodal task (<see cref="TaskSamplers.Complementary"/>): its features are a fixed projection of latent variables plus noise.
/// </summary>
public sealed record ModalityOptions
{
    private readonly int _features = 8;
    private readonly double _noiseStd = 0.5;
    private readonly double _missingRate;

    /// <summary>Number of features. <value>Default 8. At least 1.</value></summary>
    public int Features { get => _features; init => _features = OptionChecks.AtLeast(value, 1, nameof(Features), "A modality needs at least one feature."); }

    /// <summary>
    /// Whether the modality carries no class or target information: pure noise, of the same spread as an informative
    /// modality and independent of the label or target. <value>Default false: the modality carries part (or all) of
    /// the task's signal.</value>
    /// </summary>
    public bool Noise { get; init; }

    /// <summary>
    /// How latent variables z become features x. Both use a fixed random matrix A with orthonormal columns (or rows,
    /// when there are fewer features than latent variables): false gives x = A z; true gives x = tanh(A z),
    /// element-wise, a saturating non-linearity. The noise is added afterwards. <value>Default false (linear).</value>
    /// </summary>
    public bool NonLinear { get; init; }

    /// <summary>Standard deviation of the Gaussian noise added to every feature after the projection. <value>Default 0.5. At least 0.</value></summary>
    public double NoiseStd
    {
        get => _noiseStd;
        init => _noiseStd = OptionChecks.NonNegativeFinite(value, nameof(NoiseStd), "NoiseStd must be finite and non-negative.");
    }

    /// <summary>
    /// Share of examples that lack this modality (drawn independently per example). An example never lacks every
    /// modality: if the draws remove all of them, it keeps one at random. Any rate above 0 in a task adds the
    /// missing-modality mask to its episodes: an episode of M modalities then carries M + 1 input tensors, the M
    /// modalities and last the mask, a float32 tensor [N, M] ([T, N, M] in a stacked task batch) holding 1 where
    /// example n has modality m and 0 where it lacks it. The features of a missing modality are NaN, so a model that
    /// ignores the mask fails loudly (a NaN loss) instead of learning from a fill value; the fusion models
    /// (<see cref="Models.LateFusion"/>, <see cref="Models.FeatureFusion"/>) read the mask. Episodes without missing
    /// modalities carry no mask. <value>Default 0. In [0, 1).</value>
    /// </summary>
    public double MissingRate
    {
        get => _missingRate;
        init => _missingRate = OptionChecks.Valid(value, value is >= 0 and < 1, nameof(MissingRate), "MissingRate is a share of the examples in [0, 1); 1 would remove the modality altogether.");
    }

    /// <summary>An informative modality with <paramref name="features"/> features and the other defaults.</summary>
    public static ModalityOptions Informative(int features) => new() { Features = features };

    /// <summary>A pure-noise modality with <paramref name="features"/> features.</summary>
    public static ModalityOptions PureNoise(int features) => new() { Features = features, Noise = true };

    /// <summary>A copy of <paramref name="modalities"/> after checking it holds at least one modality, no null, and at least one informative modality.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The list breaks a rule; the message says what to give.</exception>
    internal static IReadOnlyList<ModalityOptions> CheckedList(IReadOnlyList<ModalityOptions> modalities, string name)
    {
        ArgumentNullException.ThrowIfNull(modalities, name);
        if (modalities.Count < 1 || modalities.Any(m => m is null) || modalities.All(m => m.Noise))
        {
            throw new ArgumentOutOfRangeException(name, modalities.Count, "Give at least one modality, and make at least one of them informative (ModalityOptions.Informative).");
        }

        return modalities.ToArray();
    }
}
