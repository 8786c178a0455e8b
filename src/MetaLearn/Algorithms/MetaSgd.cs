namespace MetaLearn.Algorithms;

/// <summary>
/// Meta-SGD (Li et al., 2017): MAML whose inner step size is a learned tensor the shape of each parameter, meta-learned
/// with the initialisation. The step sizes start at <see cref="InnerLoopOptions.StepSize"/>.
/// </summary>
public sealed class MetaSgd : MamlVariant
{
    /// <summary>Creates Meta-SGD over <paramref name="model"/> (not owned).</summary>
    public MetaSgd(IFunctionalModel model, InnerLoopOptions? options = null)
        : base("metasgd", model, (options ?? new InnerLoopOptions()) with { StepSizes = StepSizeMode.PerElement }, headOnly: false)
    {
    }
}
