using MetaLearn.Algorithms;
using MetaLearn.Sampling;

namespace MetaLearn.Training;

/// <summary>
/// Computes meta-batches for <see cref="MetaTrainer"/> somewhere other than on the training thread, e.g. on other
/// machines (the MetaLearn.Orleans package). Set one as <see cref="MetaTrainerOptions.MetaBatchExecutor"/>; without one
/// (the default) the trainer draws and computes every meta-batch itself.
/// </summary>
public interface IMetaBatchExecutor
{
    /// <summary>
    /// Does for the meta-batch that <paramref name="sampler"/> draws from <paramref name="episodeSeeds"/> (one episode per
    /// seed, in this order) what <see cref="IMetaAlgorithm.AccumulateMetaGradient(IReadOnlyList{Episode}, int)"/> does:
    /// adds the meta-gradient to the <c>grad</c> of <paramref name="algorithm"/>'s meta-parameters, or applies the
    /// algorithm's own update. The trainer then clips and steps the outer optimizer as usual.
    /// </summary>
    /// <param name="algorithm">The trainer's algorithm (not owned).</param>
    /// <param name="sampler">The trainer's training sampler (not owned).</param>
    /// <param name="iteration">The meta-iteration.</param>
    /// <param name="episodeSeeds">The meta-batch's episode seeds, as the trainer derives them from its seed.</param>
    /// <param name="cancellationToken">Cancels the meta-iteration; nothing may have changed when it throws.</param>
    /// <returns>The meta-batch's mean query loss and accuracy.</returns>
    MetaBatchResult AccumulateMetaGradient(IMetaAlgorithm algorithm, ITaskSampler sampler, int iteration, IReadOnlyList<int> episodeSeeds, CancellationToken cancellationToken);
}
