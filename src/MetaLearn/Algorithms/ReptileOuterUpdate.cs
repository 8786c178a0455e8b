namespace MetaLearn.Algorithms;

/// <summary>How <see cref="Reptile"/> turns the adapted weights into a change of the initialisation.</summary>
public enum ReptileOuterUpdate
{
    /// <summary>
    /// The paper's update θ ← θ + ε (mean_t φ_t − θ), taken by <see cref="Reptile.ApplyOuterUpdate"/> from the direction
    /// θ − mean_t φ_t that <see cref="IMetaAlgorithm.AccumulateMetaGradient(IReadOnlyList{Tasks.Episode}, int)"/> added to
    /// the gradients, with ε from <see cref="ReptileOptions.OuterStepSize"/> and its linear annealing; the gradients are
    /// then cleared. <c>MetaTrainer</c> calls it in place of its outer optimizer, which does not step.
    /// </summary>
    Interpolation,

    /// <summary>
    /// Reptile's direction θ − mean_t φ_t is added to the parameters' gradients and an outer optimizer applies it: with
    /// plain SGD at learning rate ε this is the paper's update; with Adam (the trainer's default) it is the variant
    /// many implementations use, which rescales each element's step by Adam's moment estimates.
    /// </summary>
    OuterOptimizer,
}
