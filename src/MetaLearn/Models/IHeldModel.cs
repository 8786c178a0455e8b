namespace MetaLearn.Models;

/// <summary>
/// A model whose native state an adapted model can hold on to, so that the adapted model keeps predicting after the
/// model's owner disposes it (MetaLearn's own models; see <see cref="SharedLifetime"/>). A model type that does not
/// implement it must be kept alive by its owner while adapted models made from it predict.
/// </summary>
internal interface IHeldModel : IFunctionalModel
{
    /// <summary>The lifetime of the model's state, shared by its owner and the adapted models holding it.</summary>
    SharedLifetime Lifetime { get; }

    /// <summary>Takes a hold that keeps the state alive until <see cref="ReleaseHold"/>; false when the owner already disposed the model.</summary>
    bool TryHold() => Lifetime.TryHold();

    /// <summary>Gives back a hold taken with <see cref="TryHold"/>.</summary>
    void ReleaseHold() => Lifetime.Release();

    /// <summary>
    /// <see cref="IFunctionalModel.Forward"/> for a caller holding the model: it runs after the owner's <c>Dispose</c> too. Call it
    /// through <see cref="HeldModels"/>, which first checks that the state has not been freed.
    /// </summary>
    /// <returns>The output, owned by the caller (or the enclosing dispose scope).</returns>
    Tensor ForwardHeld(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context);
}
