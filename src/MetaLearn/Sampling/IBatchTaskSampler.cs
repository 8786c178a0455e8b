namespace MetaLearn.Sampling;

/// <summary>
/// A task sampler that can also draw a whole meta-batch directly in stacked form, which is cheaper than drawing the
/// episodes one by one and stacking them. <see cref="SampleBatch"/> must give exactly the episodes that
/// <see cref="ITaskSampler.Sample"/> gives for the same seeds.
/// </summary>
internal interface IBatchTaskSampler : ITaskSampler
{
    /// <summary>Draws the episodes of <paramref name="seeds"/>, stacked along a leading task dimension.</summary>
    /// <returns>A new batch on the CPU that the caller owns and must dispose.</returns>
    EpisodeBatch SampleBatch(IReadOnlyList<int> seeds);
}
