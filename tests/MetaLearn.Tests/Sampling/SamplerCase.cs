using MetaLearn.Datasets;
using MetaLearn.Sampling;
using MetaLearn.Tasks;

namespace MetaLearn.Tests.Sampling;

/// <summary>
/// One random configuration of a sampler for the property tests: how to build it and what its episodes must look like.
/// <see cref="ToString"/> is what FsCheck prints for a failing case, so it shows the options.
/// </summary>
/// <param name="Description">The sampler and its options, for failure messages.</param>
/// <param name="Create">Builds the sampler; a sampler that is also <see cref="IDisposable"/> is disposed by the test.</param>
/// <param name="Ways">Classes per episode (1 for regression).</param>
/// <param name="Shots">Support examples per class (per task in regression).</param>
/// <param name="Queries">Query examples per class.</param>
/// <param name="ExampleShapes">Each input modality's shape of one example (mask input included when there is one).</param>
/// <param name="Classification">Whether targets are int64 classes.</param>
/// <param name="Indexed">Whether each input row starts with (example id, data-set class), so rows identify examples.</param>
internal sealed record SamplerCase(
    string Description, Func<ITaskSampler> Create, int Ways, int Shots, int Queries, IReadOnlyList<long[]> ExampleShapes, bool Classification, bool Indexed = false)
{
    /// <inheritdoc />
    public override string ToString() => Description;
}

/// <summary>An episodic sampler that owns the small data set it draws from.</summary>
internal sealed class OwningSampler(LabeledDataset dataset, ITaskSampler inner) : ITaskSampler, IDisposable
{
    public Episode Sample(int seed) => inner.Sample(seed);

    public void Dispose() => dataset.Dispose();
}
