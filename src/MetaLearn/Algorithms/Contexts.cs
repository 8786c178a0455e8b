namespace MetaLearn.Algorithms;

/// <summary>
/// The forward contexts the algorithms run in. Meta-training runs in training mode. An adaptation
/// (<see cref="IMetaAlgorithm.Adapt"/>) runs its inner steps in training mode too, but as adapting passes (batch norm
/// never updates running statistics) that draw dropout masks from the adaptation's own generator; its predictions
/// (<see cref="AdaptedModel"/>, and through it <see cref="IMetaAlgorithm.PredictQuery"/> and evaluation) run in
/// evaluation mode with the batch-norm statistics the adapted model froze (see <see cref="BatchNormStatistics"/>). A
/// pass after inner step s (0-based) uses step s's context, as MAML++ scores the query after step s with step s's
/// batch-norm set, so the query after the last of n steps uses step n − 1.
/// </summary>
internal static class Contexts
{
    /// <summary>The training-mode context of a meta-training pass made after <paramref name="stepsTaken"/> inner steps.</summary>
    public static ForwardContext After(int stepsTaken, bool taskBatched) => new(Math.Max(stepsTaken - 1, 0), taskBatched);

    /// <summary>The evaluation-mode context of a prediction made after <paramref name="stepsTaken"/> inner steps.</summary>
    public static ForwardContext Predicting(int stepsTaken) => new(Math.Max(stepsTaken - 1, 0), false) { Training = false };
}
