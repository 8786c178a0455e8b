using TorchSharp.Modules;

namespace MetaLearn.Algorithms;

/// <summary>
/// A meta-learning algorithm: turns a meta-batch of episodes into a meta-gradient on its meta-parameters, and
/// adapts to a new episode to predict its query set.
/// </summary>
public interface IMetaAlgorithm : IDisposable
{
    /// <summary>A short name, e.g. <c>maml</c>.</summary>
    string Name { get; }

    /// <summary>The model whose initialisation is meta-learned.</summary>
    IFunctionalModel Model { get; }

    /// <summary>Everything the outer optimizer updates: the model's parameters and any learned step sizes.</summary>
    IReadOnlyList<Parameter> MetaParameters { get; }

    /// <summary>
    /// Adds the gradient of the meta-batch's mean query loss (or the algorithm's meta-update direction) to the
    /// <c>grad</c> of <see cref="MetaParameters"/>. Every tensor it makes is freed before it returns.
    /// </summary>
    /// <param name="episodes">The meta-batch; episodes on another device or dtype are converted.</param>
    /// <param name="iteration">The meta-iteration (for schedules such as derivative-order annealing).</param>
    MetaBatchResult AccumulateMetaGradient(IReadOnlyList<Episode> episodes, int iteration);

    /// <summary>
    /// The same as <see cref="AccumulateMetaGradient(IReadOnlyList{Episode}, int)"/> for a meta-batch already stacked
    /// along a leading task dimension (it runs per episode when the model or options do not allow task batching).
    /// </summary>
    MetaBatchResult AccumulateMetaGradient(EpisodeBatch batch, int iteration);

    /// <summary>Adapts to the episode's support set and returns the query predictions (logits or values).</summary>
    /// <returns>A detached tensor the caller owns.</returns>
    Tensor PredictQuery(Episode episode);

    /// <summary>
    /// Adapts once to a support set and returns a model that predicts for any number of unlabelled rows. Works inside
    /// or outside <c>no_grad()</c> (gradients are enabled for the adaptation itself); the meta-parameters are not changed.
    /// </summary>
    /// <param name="supportInputs">One tensor per modality, <c>[N, ...]</c>; converted to the model's device and dtype.</param>
    /// <param name="supportTargets">Int64 classes <c>[N]</c> (0, 1, 2, ...) or floating-point values shaped like the model's output.</param>
    /// <param name="options">Test-time steps and step size; null keeps the training values.</param>
    /// <returns>An adapted model the caller disposes.</returns>
    /// <exception cref="ArgumentException">The support set's shapes or classes do not fit the model, or an option does not apply.</exception>
    /// <exception cref="NotSupportedException">The algorithm has no adaptation (an algorithm that does not override this member).</exception>
    AdaptedModel Adapt(IReadOnlyList<Tensor> supportInputs, Tensor supportTargets, AdaptationOptions? options = null) =>
        throw new NotSupportedException($"The algorithm '{Name}' does not implement Adapt; adapt through PredictQuery with an episode instead.");
}
