using MetaLearn.Datasets;

namespace MetaLearn.Sampling;

/// <summary>
/// The entry point to MetaLearn's task distributions: one method per kind of task, each handing off to the sampler in
/// <c>MetaLearn.Sampling</c>. Every sampler is a pure function of the episode seed.
/// </summary>
public static class TaskSamplers
{
    /// <summary>Sinusoid regression tasks y = A sin(x − φ) (Finn et al., 2017).</summary>
    public static ITaskSampler Sinusoid(SinusoidTaskOptions? options = null) => new SinusoidTaskSampler(options);

    /// <summary>Classification tasks drawn from scikit-learn-style <c>make_classification</c>, one fresh draw per task.</summary>
    public static ITaskSampler MakeClassification(MakeClassificationTaskOptions? options = null) => new MakeClassificationTaskSampler(options);

    /// <summary>Gaussian-blob tasks (<c>make_blobs</c> semantics), for classification or clustering.</summary>
    public static ITaskSampler Blobs(BlobsTaskOptions? options = null) => new BlobsTaskSampler(options);

    /// <summary>Simple Gaussian N-way K-shot classification tasks.</summary>
    internal static ITaskSampler GaussianClassification(GaussianClassificationTaskOptions? options = null) => new GaussianClassificationTaskSampler(options);

    /// <summary>Clustering tasks whose clusters are separable only in a task-independent projection (meta-clustering).</summary>
    public static ITaskSampler ProjectedClusters(ProjectedClusterTaskOptions? options = null) => new ProjectedClusterTaskSampler(options);

    /// <summary>Multimodal classification tasks whose informative modality changes from task to task.</summary>
    internal static ITaskSampler Multimodal(MultimodalTaskOptions? options = null) => new MultimodalTaskSampler(options);

    /// <summary>Multimodal classification tasks whose modalities complement each other (each alone separates only groups of classes), with optional noise modalities and missing modalities.</summary>
    public static ITaskSampler Complementary(ComplementaryTaskOptions? options = null) => new ComplementaryTaskSampler(options);

    /// <summary>Multimodal regression tasks: a sum of sinusoids, each term's input seen by one modality only.</summary>
    internal static ITaskSampler MultimodalRegression(MultimodalRegressionTaskOptions? options = null) => new MultimodalRegressionTaskSampler(options);

    /// <summary>N-way K-shot episodes over a labelled data set (e.g. <see cref="LabeledDataset.FromOmniglot"/>); the data set is not owned.</summary>
    public static ITaskSampler Episodes(LabeledDataset dataset, EpisodicSamplerOptions options) => new EpisodicSampler(dataset, options);

    /// <summary>
    /// The episodes of <paramref name="inner"/> restricted to some of their input tensors, for instance one modality of a
    /// multimodal task to train a single-modality model on the very same tasks. The indices may include the
    /// missing-modality mask (the last input, see <see cref="ModalityOptions.MissingRate"/>), which is passed on as it
    /// is, so keep it only with the modalities it describes. Episode seeds, targets and infos are
    /// unchanged; <paramref name="inner"/> is not owned.
    /// </summary>
    /// <param name="inner">The sampler whose episodes are restricted.</param>
    /// <param name="inputs">Indices of the inputs to keep, in the order to keep them; at least one, no repeats.</param>
    /// <exception cref="ArgumentException">No index, a negative or repeated index.</exception>
    public static ITaskSampler ModalitySubset(ITaskSampler inner, params int[] inputs) => new ModalitySubsetSampler(inner, inputs);
}
