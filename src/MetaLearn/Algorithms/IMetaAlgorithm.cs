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
    /// The query predictions (logits or values) of an episode, computed as an app computes them: <see cref="Adapt"/> to
    /// the support set (with the episode's <see cref="EpisodeInfo.Kind"/>), then <see cref="AdaptedModel.Predict(IReadOnlyList{Tensor})"/>
    /// on the query inputs. Evaluation and validation score this. Changes nothing in the algorithm.
    /// </summary>
    /// <returns>A detached tensor the caller owns.</returns>
    Tensor PredictQuery(Episode episode) => Adaptation.PredictQuery(this, episode);

    /// <summary>
    /// Adapts once to a support set and returns a model that predicts for any number of unlabelled rows. Works inside
    /// or outside <c>no_grad()</c> (gradients are enabled for the adaptation itself).
    /// </summary>
    /// <remarks>
    /// <para>Pure: the algorithm is read, never written. Its parameters, buffers (batch-norm running statistics), learned
    /// step sizes, its own meta-parameters (R2D2's λ, scale and bias) and the model's dropout generator are the same
    /// before and after; dropout in the inner steps draws from a generator private to the call, seeded with
    /// <see cref="AdaptationOptions.Seed"/>, so the same support set and options give the same adapted model.</para>
    /// <para>Thread safety: any number of threads may call <c>Adapt</c> on one algorithm at once, and use the adapted
    /// models they get, while nothing trains, loads into or disposes the algorithm (meta-training writes what
    /// <c>Adapt</c> reads). Results equal those of the same calls made one after the other, up to the rounding of
    /// libtorch's intra-op parallelism (each calling thread may split an operation differently).</para>
    /// </remarks>
    /// <param name="supportInputs">One tensor per modality, <c>[N, ...]</c>; converted to the model's device and dtype.</param>
    /// <param name="supportTargets">Int64 classes <c>[N]</c> (0, 1, 2, ...) or floating-point values shaped like the model's output.</param>
    /// <param name="options">Test-time steps and step size; null keeps the training values.</param>
    /// <returns>An adapted model the caller disposes.</returns>
    /// <exception cref="ArgumentException">The support set's shapes or classes do not fit the model, or an option does not apply.</exception>
    /// <exception cref="NotSupportedException">The algorithm has no adaptation (an algorithm that does not override this member).</exception>
    AdaptedModel Adapt(IReadOnlyList<Tensor> supportInputs, Tensor supportTargets, AdaptationOptions? options = null) =>
        throw new NotSupportedException($"The algorithm '{Name}' does not implement Adapt; adapt through PredictQuery with an episode instead.");
}
