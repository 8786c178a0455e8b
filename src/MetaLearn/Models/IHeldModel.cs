namespace MetaLearn.Models;

/// <summary>
/// A model whose native state an adapted model can hold on to, so that the adapted model keeps predicting after the
/// model's owner disposes it (MetaLearn's own models; see <see cref="SharedLifetime"/>). A model type that does not
/// implement it must be kept alive by its owner while adapted models made from it predict.
/// </summary>
internal interface IHeldModel : IFunctionalModel
{
    /// <summary>Takes a hold that keeps the state alive until <see cref="ReleaseHold"/>; false when the owner already disposed the model.</summary>
    bool TryHold();

    /// <summary>Gives back a hold taken with <see cref="TryHold"/>.</summary>
    void ReleaseHold();

    /// <summary><see cref="IFunctionalModel.Forward"/> for a caller holding the model: it runs after the owner's <c>Dispose</c> too.</summary>
    /// <returns>The output, owned by the caller (or the enclosing dispose scope).</returns>
    Tensor ForwardHeld(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context);
}
