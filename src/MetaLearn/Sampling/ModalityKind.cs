namespace MetaLearn.Sampling;

/// <summary>What a modality of a synthetic multimodal task shows.</summary>
public enum ModalityKind
{
    /// <summary>The modality carries part (or all) of the task's signal.</summary>
    Informative,

    /// <summary>Pure noise: the same spread as an informative modality, independent of the label or target.</summary>
    Noise,
}
