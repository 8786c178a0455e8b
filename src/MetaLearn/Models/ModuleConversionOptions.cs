namespace MetaLearn.Models;

/// <summary>Options of <see cref="FunctionalModel.FromModule"/>.</summary>
public sealed record ModuleConversionOptions
{
    /// <summary>Seed of the generator that dropout masks are drawn from. <value>Default 0.</value></summary>
    public int Seed { get; init; }

    /// <summary>
    /// Which statistics a converted batch norm without running statistics (<c>track_running_stats: false</c>)
    /// normalises with: <see cref="BatchNormStatistics.Support"/> (the support set's, in every pass) or
    /// <see cref="BatchNormStatistics.Transductive"/> (each pass's own rows, predictions included). A batch norm that
    /// keeps running statistics is always <see cref="BatchNormStatistics.Running"/>.
    /// </summary>
    /// <value>Default <see cref="BatchNormStatistics.Support"/>.</value>
    public BatchNormStatistics BatchNormStatistics
    {
        get;
        init => field = OptionChecks.Valid(value, value is BatchNormStatistics.Support or BatchNormStatistics.Transductive, nameof(BatchNormStatistics), "Choose Support or Transductive; Running applies by itself to batch norms that keep running statistics (track_running_stats), and a module without them has none to use.");
    }

    /// <summary>
    /// Whether the converted model accepts task-batched passes. Null decides by the layers: on when every layer
    /// batches without a loop over tasks (linear, layer and group norm, pooling, activations, dropout, flatten), off
    /// when a convolution, batch norm or embedding would loop over tasks inside the pass (see
    /// <see cref="Conv4Options.TaskBatching"/>). True or false forces it.
    /// </summary>
    /// <value>Default null (decided by the layers).</value>
    public bool? TaskBatching { get; init; }
}
