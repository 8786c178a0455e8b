namespace MetaLearn.Algorithms;

/// <summary>
/// ANIL, "almost no inner loop" (Raghu et al., 2020): MAML that adapts only the head (the parameters from
/// <see cref="IFunctionalModel.HeadStart"/> on) in the inner loop; the body is shared and meta-learned by the outer loop.
/// </summary>
public sealed class Anil : MamlVariant
{
    /// <summary>Creates ANIL over <paramref name="model"/> (not owned), which must have a head.</summary>
    public Anil(IFunctionalModel model, InnerLoopOptions? options = null)
        : base("anil", model, options ?? new InnerLoopOptions(), headOnly: true)
    {
    }
}
