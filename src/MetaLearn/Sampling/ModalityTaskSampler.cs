using MathNet.Numerics.LinearAlgebra;

namespace MetaLearn.Sampling;

/// <summary>
/// The base of the synthetic multimodal task samplers (<see cref="ComplementaryTaskSampler"/>,
/// <see cref="MultimodalRegressionTaskSampler"/>): it checks that an episode's size can be allocated and draws each
/// modality's fixed projection once, when the sampler is created.
/// </summary>
/// <typeparam name="TOptions">The options record of the task distribution.</typeparam>
internal abstract class ModalityTaskSampler<TOptions> : TaskSampler<TOptions>
    where TOptions : FewShotTaskOptions, IModalityTaskOptions
{
    /// <summary>Validates the options, checks an episode's size and draws the projections.</summary>
    /// <param name="options">The task distribution.</param>
    /// <param name="name">The sampler's name in size errors.</param>
    /// <exception cref="ArgumentException">The options break a rule, or an episode would not fit in memory.</exception>
    private protected ModalityTaskSampler(TOptions options, string name)
        : base(options)
    {
        int ways = options is ClassificationTaskOptions classification ? classification.Ways : 1;
        AllocationSize.Episode(name, ways, options.Shots, options.Queries, options.Modalities.Max(m => m.Features));
        Views = new ModalityViews(options.Modalities, options.LatentDimensions, options.StructureSeed);
    }

    /// <summary>Whether episodes carry the missing-modality mask as their last input.</summary>
    public bool HasMask => Views.HasMask;

    private protected ModalityViews Views { get; }

    /// <summary>The fixed projection of modality <paramref name="modality"/> from its latent variables to its features: Features x latent (a copy).</summary>
    public Matrix<double> ProjectionOf(int modality) => Views.ProjectionOf(modality);
}
