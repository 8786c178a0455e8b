namespace MetaLearn.Algorithms;

/// <summary>How <see cref="Reptile"/> turns the adapted weights into a change of the initialisation.</summary>
public enum ReptileOuterUpdate
{
    /// <summary>
    /// The paper's update θ ← θ + ε (mean_t φ_t − θ), applied by <see cref="Reptile"/> itself inside
    /// <see cref="IMetaAlgorithm.AccumulateMetaGradient(IReadOnlyList{Tasks.Episode}, int)"/> with ε from
    /// <see cref="ReptileOptions.OuterStepSize"/> and its linear annealing. The parameters' gradients are left untouched
    /// (null), so an outer optimizer stepped afterwards (the trainer's Adam) does not move them.
    /// </summary>
    Interpolation,

    /// <summary>
    /// Reptile's direction θ − mean_t φ_t is added to the parameters' gradients and an outer optimizer applies it: with
    /// plain SGD at learning rate ε this is the paper's update; with Adam (the trainer's default) it is the variant
    /// many implementations use, which rescales each element's step by Adam's moment estimates.
    /// </summary>
    OuterOptimizer,
}
