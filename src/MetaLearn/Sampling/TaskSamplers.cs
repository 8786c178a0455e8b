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

    /// <summary>
    /// N-way K-shot classification episodes with Q queries per class over a labelled data set (e.g.
    /// <see cref="LabeledDataset.FromOmniglot"/>, or <see cref="CsvTable.ToDataset"/> of a CSV file): N classes without replacement,
    /// then K + Q distinct examples of each, labelled 0..N-1 in the order the classes were drawn. Support rows are
    /// class-major (<c>ways * shots</c> rows: class 0's shots, then class 1's, ...), and so are query rows
    /// (<c>ways * queries</c>).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Rotations (<see cref="EpisodicSamplerOptions.Rotations"/>) create classes without copying data: eligible class
    /// <c>b</c> and rotation <c>r</c> form class <c>b * R + r</c>, whose examples are class <c>b</c>'s turned
    /// counter-clockwise by <c>r</c> degrees over the last two dimensions when the episode is built;
    /// <see cref="EpisodicSamplerOptions.CountClasses"/> says how many classes that makes.
    /// </para>
    /// <para>
    /// <see cref="ITaskSampler.Sample"/> is a pure function of its seed (a local Xoshiro256** generator) and only reads
    /// the data set, so it is safe on any thread. The sampler does not own the data set (whoever created it disposes
    /// it): keep it alive while sampling; sampling from a disposed data set throws <see cref="ObjectDisposedException"/>.
    /// </para>
    /// </remarks>
    /// <param name="dataset">The labelled examples; not owned.</param>
    /// <param name="options">Ways, shots, queries and which classes.</param>
    /// <returns>A sampler that checked once that every episode can be drawn.</returns>
    /// <exception cref="ArgumentException">
    /// An eligible class has fewer than Shots + Queries examples; fewer than Ways classes are eligible; with
    /// <see cref="EpisodicSamplerOptions.SameGroup"/>, no group has Ways classes; or rotations are asked of examples
    /// that are not square images.
    /// </exception>
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
