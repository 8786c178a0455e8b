namespace MetaLearn.Models;

/// <summary>Holding and running models whether or not they are <see cref="IHeldModel"/>s.</summary>
internal static class HeldModels
{
    /// <summary>Runs <paramref name="model"/> as its holder: through <see cref="IHeldModel.ForwardHeld"/> when it has one.</summary>
    /// <returns>The output, owned by the caller (or the enclosing dispose scope).</returns>
    /// <exception cref="ObjectDisposedException">The model's state has been freed (its owner and every holder are done with it).</exception>
    public static Tensor Forward(IFunctionalModel model, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context)
    {
        if (model is not IHeldModel held)
        {
            return model.Forward(inputs, weights, context);
        }

        ObjectDisposedException.ThrowIf(held.Lifetime.Freed, held);
        return held.ForwardHeld(inputs, weights, context);
    }

    /// <summary>
    /// Runs <paramref name="model"/> for its owner (<see cref="IFunctionalModel.Forward"/>): throws
    /// <see cref="ObjectDisposedException"/> once the owner has disposed it, even while adapted models still hold it.
    /// </summary>
    /// <returns>The output, owned by the caller (or the enclosing dispose scope).</returns>
    public static Tensor ForwardOwned(IHeldModel model, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context)
    {
        ObjectDisposedException.ThrowIf(model.Lifetime.OwnerDisposed, model);
        return model.ForwardHeld(inputs, weights, context);
    }

    /// <summary>
    /// Takes a hold on <paramref name="model"/> (nothing to hold for other model types); throws
    /// <see cref="ObjectDisposedException"/> naming the model's type when its owner has disposed it.
    /// </summary>
    /// <returns>The model to release with <see cref="IHeldModel.ReleaseHold"/>, or null when there is nothing to release.</returns>
    public static IHeldModel? Hold(IFunctionalModel model)
    {
        if (model is not IHeldModel held)
        {
            return null;
        }

        if (!held.TryHold())
        {
            throw new ObjectDisposedException(model.GetType().FullName, $"The {model.GetType().Name} has been disposed; adapt with a model that is alive.");
        }

        return held;
    }
}
