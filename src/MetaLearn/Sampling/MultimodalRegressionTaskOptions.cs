namespace MetaLearn.Sampling;

/// <summary>Options of <see cref="TaskSamplers.MultimodalRegression"/>; the ranges follow the sinusoid tasks of Finn et al. Defaults: 10 support and 10 query examples per task, amplitudes in [0.1, 2.5], phases in [0, π], inputs in [−5, 5].</summary>
internal sealed record MultimodalRegressionTaskOptions() : SineTaskRanges(shots: 10, queries: 10, amplitudeMax: 2.5), IModalityTaskOptions
{
    private readonly IReadOnlyList<ModalityOptions> _modalities = new[]
    {
        new ModalityOptions { Features = 4, NoiseStd = 0.05 },
        new ModalityOptions { Features = 4, NoiseStd = 0.05 },
    };

    /// <summary>The modalities, in input order. <value>Default two informative modalities of 4 features with noise 0.05.</value></summary>
    public IReadOnlyList<ModalityOptions> Modalities { get => _modalities; init => _modalities = ModalityOptions.CheckedList(value, nameof(Modalities)); }

    /// <summary>Seed of the task-independent structure: each modality's projection. <value>Default 0.</value></summary>
    public int StructureSeed { get; init; }

    /// <summary>Each modality shows one latent variable, its own input u_k.</summary>
    int IModalityTaskOptions.LatentDimensions => 1;
}
