namespace MetaLearn.Models;

/// <summary>Options of <see cref="Conv4"/>.</summary>
public sealed record Conv4Options
{
    private readonly int _ways = 5;
    private readonly int _channels = 64;
    private readonly int _inputChannels = 1;
    private readonly int _imageSize = 28;
    private readonly int _blocks = 4;
    private readonly int _batchNormSets = 1;

    /// <summary>Output classes of the linear head; 0 for an embedding network without head (ProtoNets).</summary>
    /// <value>Default 5. Zero or more.</value>
    public int Ways { get => _ways; init => _ways = Check(value, 0, nameof(Ways)); }

    /// <summary>Channels of every convolution. <value>Default 64.</value></summary>
    public int Channels { get => _channels; init => _channels = Check(value, 1, nameof(Channels)); }

    /// <summary>Channels of the input images. <value>Default 1 (grayscale).</value></summary>
    public int InputChannels { get => _inputChannels; init => _inputChannels = Check(value, 1, nameof(InputChannels)); }

    /// <summary>Side of the square input images in pixels. <value>Default 28 (Omniglot).</value></summary>
    public int ImageSize { get => _imageSize; init => _imageSize = Check(value, 2, nameof(ImageSize)); }

    /// <summary>Number of conv blocks. <value>Default 4.</value></summary>
    public int Blocks { get => _blocks; init => _blocks = Check(value, 1, nameof(Blocks)); }

    /// <summary>
    /// Sets of batch-norm scale and shift: 1 shares them across inner steps. MAML++'s per-step batch norm has one set per
    /// inner step (set this to <c>InnerLoopOptions.Steps</c>): the pass at inner step s (0-based) uses set min(s, sets − 1),
    /// and the algorithms run the query pass after step s with step s's context, so it uses the same set as that step's
    /// support pass and the query after the last step uses the last step's set, as in MAML++ (Antoniou et al., 2019, and
    /// its code: the target-set loss after step s is computed with num_step = s). A set beyond the inner steps is never used.
    /// With <see cref="BatchNormStatistics.Running"/>, each set keeps its own running statistics (MAML++'s BNRS); with
    /// <see cref="BatchNormStatistics.Support"/>, each set's support statistics are computed in the pass that uses it.
    /// </summary>
    /// <value>Default 1.</value>
    public int BatchNormSets { get => _batchNormSets; init => _batchNormSets = Check(value, 1, nameof(BatchNormSets)); }

    /// <summary>
    /// Which statistics batch norm normalises with (see <see cref="Models.BatchNormStatistics"/>):
    /// <see cref="BatchNormStatistics.Support"/> normalises every pass with the support set's statistics, so a
    /// prediction does not depend on the other rows of the call and training scores what an adapted model computes;
    /// <see cref="BatchNormStatistics.Running"/> keeps running statistics (momentum 0.1) for predictions;
    /// <see cref="BatchNormStatistics.Transductive"/> normalises every pass over its own rows, predictions included (the
    /// setting of MAML's original code and of the benchmark workload <c>omniglot-conv4-maml</c>).
    /// </summary>
    /// <value>Default <see cref="BatchNormStatistics.Support"/>.</value>
    public BatchNormStatistics BatchNormStatistics
    {
        get;
        init => field = OptionChecks.Valid(value, Enum.IsDefined(value), nameof(BatchNormStatistics), "Choose BatchNormStatistics.Support, Running or Transductive.");
    }

    /// <summary>
    /// Whether a meta-batch may run task-batched through this network. A task-batched pass loops over the tasks for
    /// the convolutions and batch norm (each task's slice with that task's weights, as <see cref="Layers.Conv2d"/>
    /// does) and batches only the pooling and the linear head; its results equal the per-task path's, and it holds
    /// every task's activations at once. Off by default: the per-task path is the measured one (one grouped
    /// convolution over all tasks, an earlier form of this option, measured about 4x slower than it on the CPU).
    /// </summary>
    /// <value>Default false.</value>
    public bool TaskBatching { get; init; }

    /// <summary>Seed of the initialisation. <value>Default 0.</value></summary>
    public int Seed { get; init; }

    /// <summary>Device of the parameters. <value>Default null: the CPU.</value></summary>
    public Device? Device { get; init; }

    /// <summary>Floating-point type of the parameters. <value>Default float32.</value></summary>
    public ScalarType DType { get; init; } = ScalarType.Float32;

    private static int Check(int value, int min, string name) =>
        OptionChecks.AtLeast(value, min, name, $"{name} must be at least {min}.");
}
