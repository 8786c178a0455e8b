namespace MetaLearn.Models;

/// <summary>
/// Which statistics a batch-norm layer normalises with, in meta-training, adaptation (<c>IMetaAlgorithm.Adapt</c>) and
/// prediction (<c>AdaptedModel</c>, evaluation, validation). Set per model (<see cref="Conv4Options.BatchNormStatistics"/>,
/// <see cref="ModuleConversionOptions.BatchNormStatistics"/>); the algorithms follow it.
/// </summary>
public enum BatchNormStatistics
{
    /// <summary>
    /// The support set's statistics in every pass, so that training, evaluation and deployment compute the same thing
    /// and a prediction never depends on the other rows of the call (non-transductive; "MetaBN" in Bronskill et al.,
    /// 2020, TaskNorm). A support pass normalises with its own batch; a query pass in meta-training normalises with the
    /// statistics of the task's support set computed with the same (adapted) weights, by one more pass of the support
    /// set through them; an adapted model freezes the statistics of its support set, computed with its adapted
    /// weights, and normalises every row it predicts with them. No running statistics are kept.
    /// </summary>
    Support,

    /// <summary>
    /// Running statistics, as PyTorch's <c>train()</c> and <c>eval()</c>: meta-training passes normalise with the
    /// batch's statistics and update the running ones (momentum 0.1); adaptation (inner steps, support embedding)
    /// normalises with the support batch's statistics and never updates them; predictions normalise with the running
    /// statistics, of which an adapted model keeps its own copy, taken when it was adapted.
    /// </summary>
    Running,

    /// <summary>
    /// Every pass normalises over the rows it is given, also predictions (MAML's and Prototypical Networks' original
    /// code, and the benchmark workload <c>omniglot-conv4-maml</c>): an adapted model's prediction for a row depends
    /// on the other rows of the same call, and evaluation scores the query set as one batch (transductive; evaluation
    /// results say so, <c>EvaluationResult.Transductive</c>). No running statistics are kept.
    /// </summary>
    Transductive,
}
