namespace MetaLearn.Models;

/// <summary>Options of <see cref="FunctionalModel.FromModule"/>.</summary>
public sealed record ModuleConversionOptions
{
    /// <summary>Seed of the generator that dropout masks are drawn from. <value>Default 0.</value></summary>
    public int Seed { get; init; }

    /// <summary>
    /// Whether the converted model accepts task-batched passes. Null decides by the layers: on when every layer
    /// batches without a loop over tasks (linear, layer and group norm, pooling, activations, dropout, flatten), off
    /// when a convolution, batch norm or embedding would loop over tasks (a loop measured slower than running tasks
    /// one by one for convolutions on the CPU; see <see cref="Conv4Options.TaskBatching"/>). True or false forces it.
    /// </summary>
    /// <value>Default null (decided by the layers).</value>
    public bool? TaskBatching { get; init; }
}
