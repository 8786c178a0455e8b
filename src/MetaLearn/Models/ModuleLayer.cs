namespace MetaLearn.Models;

/// <summary>What a layer reads during a forward pass: the weights, the context and its model's buffers and noise.</summary>
internal readonly record struct LayerRun(IReadOnlyList<Tensor> Weights, ForwardContext Context, FunctionalModel Model)
{
    public bool Batched => Context.TaskBatched;
}

/// <summary>
/// One node of a functional model built from layers: it knows its parameters' indices in the model, runs
/// functionally (per task or task-batched) and exports itself as a TorchSharp module with the current values.
/// </summary>
internal abstract class ModuleLayer
{
    /// <summary>Whether a task-batched pass runs without a loop over tasks (false: it loops, which measured slower for convolutions).</summary>
    public virtual bool BatchesWithoutLoop => true;

    /// <summary>Indices of the first parameter of the last layer that has parameters (the head), if any.</summary>
    public virtual int? HeadStart => ParameterIndices.Cast<int?>().FirstOrDefault();

    /// <summary>Indices of the model parameters this layer (and its children) read, in order.</summary>
    public virtual IEnumerable<int> ParameterIndices => Array.Empty<int>();

    /// <summary>
    /// Whether a training pass through this layer (or one of its children) reads or changes state that outlives the
    /// pass: a dropout generator, batch-norm running statistics. Such passes depend on the order tasks run in.
    /// </summary>
    public virtual bool KeepsTrainingState => false;

    /// <summary>Whether this layer (or one of its children) is a batch norm normalising with <paramref name="statistics"/>.</summary>
    public virtual bool UsesBatchNorm(BatchNormStatistics statistics) => false;

    public abstract Tensor Forward(Tensor x, LayerRun run);

    public abstract nn.Module<Tensor, Tensor> Export(FunctionalModel model);

    /// <summary>The dimension <paramref name="dim"/> of a per-task tensor in a task-batched one.</summary>
    protected static long Shift(long dim, bool batched) => batched && dim >= 0 ? dim + 1 : dim;

    /// <summary>Applies <paramref name="perTask"/> to each task's slice and stacks the results.</summary>
    protected static Tensor PerTask(Tensor x, Func<Tensor, int, Tensor> perTask)
    {
        var outputs = new Tensor[x.shape[0]];
        for (int t = 0; t < outputs.Length; t++)
        {
            outputs[t] = perTask(x[t], t);
        }

        return stack(outputs);
    }

    /// <summary>Runs <paramref name="f"/> on the task and example dimensions merged into one, then splits them again.</summary>
    protected static Tensor Merged(Tensor x, Func<Tensor, Tensor> f)
    {
        var y = f(x.flatten(0, 1));
        var shape = new long[y.dim() + 1];
        shape[0] = x.shape[0];
        shape[1] = x.shape[1];
        Array.Copy(y.shape, 1, shape, 2, y.dim() - 1);
        return y.view(shape);
    }

    /// <summary>Copies a value into a module's parameter or buffer without recording gradients.</summary>
    protected static void CopyInto(Tensor? target, Tensor value, string what)
    {
        if (target is null)
        {
            throw new InvalidOperationException($"The exported module has no {what} to copy into.");
        }

        using var noGrad = no_grad();
        if (target.numel() == value.numel() && !target.shape.SequenceEqual(value.shape))
        {
            // A count the model keeps as a one-element vector goes into a module's scalar num_batches_tracked.
            using var reshaped = value.reshape(target.shape);
            target.copy_(reshaped);
            return;
        }

        target.copy_(value);
    }
}
