namespace MetaLearn.Sampling;

/// <summary>Options of a synthetic multimodal task distribution whose modalities are fixed random views of latent variables.</summary>
internal interface IModalityTaskOptions
{
    /// <summary>The modalities, in input order.</summary>
    IReadOnlyList<ModalityOptions> Modalities { get; }

    /// <summary>Latent variables each modality's features are projected from.</summary>
    int LatentDimensions { get; }

    /// <summary>Seed of the task-independent structure: each modality's projection.</summary>
    int StructureSeed { get; }
}
