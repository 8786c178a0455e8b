namespace MetaLearn.Algorithms;

/// <summary>
/// The forward contexts the algorithms run in. Adaptation (inner steps, support passes) and meta-training run in training
/// mode; predictions (<see cref="IMetaAlgorithm.PredictQuery"/>, <see cref="AdaptedModel"/>, evaluation) run in
/// evaluation mode: dropout is off, and batch norm uses its running statistics where the layer keeps them; a batch norm
/// that keeps none (the default Conv4, the transductive few-shot setting) normalises with the batch's own statistics in
/// both modes. A pass after inner step s (0-based) uses step s's context, as MAML++ scores the query after step s with
/// step s's batch-norm set, so the query after the last of n steps uses step n − 1.
/// </summary>
internal static class Contexts
{
    /// <summary>The training-mode context of a pass made after <paramref name="stepsTaken"/> inner steps.</summary>
    public static ForwardContext After(int stepsTaken, bool taskBatched) => new(Math.Max(stepsTaken - 1, 0), taskBatched);

    /// <summary>The evaluation-mode context of a prediction made after <paramref name="stepsTaken"/> inner steps.</summary>
    public static ForwardContext Predicting(int stepsTaken) => new(Math.Max(stepsTaken - 1, 0), false) { Training = false };
}
