namespace MetaLearn.Models;

/// <summary>
/// The current states of a model's generators (<see cref="IFunctionalModel.Generators"/>) as tensors, in order, for a
/// checkpoint or learner file to write or to check a file's states against; disposing frees them.
/// </summary>
internal sealed class GeneratorStates : IDisposable
{
    public GeneratorStates(IFunctionalModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Tensors = model.Generators.Select(g => g.get_state().DetachFromDisposeScope()).ToArray();
    }

    /// <summary>One CPU byte tensor per generator, owned by this object.</summary>
    public IReadOnlyList<Tensor> Tensors { get; }

    public void Dispose()
    {
        foreach (var t in Tensors)
        {
            t.Dispose();
        }
    }
}
