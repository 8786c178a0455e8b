namespace MetaLearn.Sampling;

/// <summary>Options of <see cref="TaskSamplers.MultimodalRegression"/>; the ranges follow the sinusoid tasks of Finn et al. Defaults: 10 support and 10 query examples per task, amplitudes in [0.1, 2.5], phases in [0, π], inputs in [−5, 5].</summary>
internal sealed record MultimodalRegressionTaskOptions() : FewShotTaskOptions(shots: 10, queries: 10), IModalityTaskOptions
{
    private readonly IReadOnlyList<ModalityOptions> _modalities = new[]
    {
        new ModalityOptions { Features = 4, NoiseStd = 0.05 },
        new ModalityOptions { Features = 4, NoiseStd = 0.05 },
    };

    /// <summary>
    /// The ranges of each informative modality's amplitude and phase and of every modality's input u_k; their
    /// <see cref="FewShotTaskOptions.Shots"/> and <see cref="FewShotTaskOptions.Queries"/> are not used.
    /// <value>Default <see cref="SinusoidTaskOptions"/>'s ranges with the largest amplitude 2.5.</value>
    /// </summary>
    public SinusoidTaskOptions Ranges { get; init => field = value ?? throw new ArgumentNullException(nameof(Ranges)); } = new() { AmplitudeMax = 2.5 };

    /// <summary>The modalities, in input order. <value>Default two informative modalities of 4 features with noise 0.05.</value></summary>
    public IReadOnlyList<ModalityOptions> Modalities { get => _modalities; init => _modalities = ModalityOptions.CheckedList(value, nameof(Modalities)); }

    /// <summary>Seed of the task-independent structure: each modality's projection. <value>Default 0.</value></summary>
    public int StructureSeed { get; init; }

    /// <summary>Each modality shows one latent variable, its own input u_k.</summary>
    int IModalityTaskOptions.LatentDimensions => 1;

    /// <summary>Checks that every range is ordered and finite.</summary>
    /// <exception cref="ArgumentException">A range is reversed or not finite; the message names it.</exception>
    public override void Validate() => Ranges.ValidateRanges();
}
