using TorchSharp.Modules;

namespace MetaLearn.Models;

/// <summary>
/// A model that owns its parameters but can run with any list of weights (the adapted "fast weights").
/// Parameters are named and ordered stably; <see cref="Forward"/> takes weights in that order.
/// </summary>
public interface IFunctionalModel : IDisposable
{
    /// <summary>The shared (meta-learned) parameters, in a stable order.</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Stable names of <see cref="Parameters"/>, e.g. <c>layer0.weight</c>.</summary>
    IReadOnlyList<string> ParameterNames { get; }

    /// <summary>
    /// State the forward pass reads (and training-mode passes may update) that is not meta-learned, e.g. batch norm's
    /// running statistics; with <see cref="Parameters"/> and <see cref="Generators"/> it is the model's whole state,
    /// which checkpoints and learner files save and restore.
    /// </summary>
    /// <value>Default empty (a model without buffers).</value>
    IReadOnlyList<Tensor> Buffers => Array.Empty<Tensor>();

    /// <summary>Stable, unique names of <see cref="Buffers"/>, e.g. <c>bn1.running_mean</c>.</summary>
    /// <value>Default empty.</value>
    IReadOnlyList<string> BufferNames => Array.Empty<string>();

    /// <summary>
    /// The generators of the model's forward-time randomness (dropout masks); checkpoints save and restore their states
    /// (<see cref="Generator.get_state"/>) so that a resumed training draws the masks the uninterrupted one would.
    /// </summary>
    /// <value>Default empty (a model without randomness).</value>
    IReadOnlyList<Generator> Generators => Array.Empty<Generator>();

    /// <summary>Stable, unique names of <see cref="Generators"/>, e.g. <c>noise</c>.</summary>
    /// <value>Default empty.</value>
    IReadOnlyList<string> GeneratorNames => Array.Empty<string>();

    /// <summary>Index of the first parameter of the head (the final layer); ANIL adapts only those.</summary>
    int HeadStart { get; }

    /// <summary>The device the parameters live on.</summary>
    Device Device { get; }

    /// <summary>The floating-point type of the parameters.</summary>
    ScalarType DType { get; }

    /// <summary>
    /// Whether <see cref="Forward"/> accepts task-batched inputs and weights: every input and every weight carries a
    /// leading task dimension, and task t's output slice depends only on task t's inputs and weights.
    /// </summary>
    bool SupportsTaskBatching { get; }

    /// <summary>
    /// Whether the forward pass at inner step <paramref name="step"/> uses parameter <paramref name="index"/>. The inner
    /// loop differentiates only with respect to parameters reported as used, which saves work; a parameter reported
    /// as used that the pass does not reach after all gets a zero inner-loop gradient (the inner loop asks autograd
    /// to allow unused inputs), so a default of true is always safe.
    /// </summary>
    bool UsesParameter(int index, int step) => true;

    /// <summary>
    /// Whether any batch-norm layer of the model normalises with <paramref name="statistics"/> (see
    /// <see cref="BatchNormStatistics"/>). The algorithms ask before each query pass and adaptation: for
    /// <see cref="BatchNormStatistics.Support"/> they run the support set through the final weights once more to collect
    /// its statistics, for <see cref="BatchNormStatistics.Running"/> an adapted model copies the running statistics, and
    /// evaluation results of a <see cref="BatchNormStatistics.Transductive"/> model are labelled so. A model that wraps
    /// other models reports what they report (and passes its <see cref="ForwardContext"/> on to them unchanged).
    /// </summary>
    /// <returns>Default false: a model with no MetaLearn batch-norm layers pays nothing.</returns>
    bool UsesBatchNormStatistics(BatchNormStatistics statistics) => false;

    /// <summary>Runs the model on <paramref name="inputs"/> (one tensor per modality) with <paramref name="weights"/>.</summary>
    /// <param name="inputs">One tensor per modality; <c>[N, ...]</c>, or <c>[T, N, ...]</c> when <paramref name="context"/> is task-batched.</param>
    /// <param name="weights">One tensor per parameter, in <see cref="Parameters"/> order; with a leading task dimension when task-batched.</param>
    /// <param name="context">The inner-loop step (for per-step batch-norm parameters) and whether the call is task-batched.</param>
    /// <returns>The output, owned by the caller (or the enclosing dispose scope).</returns>
    Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context);
}
