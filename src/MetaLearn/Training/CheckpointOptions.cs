namespace MetaLearn.Training;

/// <summary>
/// When and where <see cref="MetaTrainer.Train"/> writes checkpoints (<see cref="MetaTrainer.SaveCheckpoint"/>): after a
/// meta-iteration once <see cref="Interval"/> has passed since the last save or every <see cref="IterationInterval"/>
/// meta-iterations, at the end of every <see cref="MetaTrainer.Train"/> call, and, with <see cref="SaveOnCancel"/>, when
/// the call is cancelled. Each save replaces the file atomically, so the file on disk is always a whole checkpoint.
/// </summary>
/// <example>
/// <code>
/// var options = new MetaTrainerOptions { Checkpoint = new CheckpointOptions("run.ckpt") { Interval = TimeSpan.FromMinutes(1) } };
/// </code>
/// </example>
public sealed record CheckpointOptions
{
    private readonly string _path = string.Empty;
    private readonly TimeSpan? _interval = TimeSpan.FromSeconds(5);
    private readonly int _iterationInterval;
    private readonly TimeProvider _clock = TimeProvider.System;

    /// <summary>Checkpoints written to <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or white space.</exception>
    public CheckpointOptions(string path)
    {
        Path = path;
    }

    /// <summary>The checkpoint file; its folder is created if missing.</summary>
    public string Path
    {
        get => _path;
        init => _path = !string.IsNullOrWhiteSpace(value) ? value : throw new ArgumentException("Give the checkpoint file's path.", nameof(Path));
    }

    /// <summary>
    /// Save after the first meta-iteration that ends at least this long after the last save (or the start of the
    /// <see cref="MetaTrainer.Train"/> call); null saves by <see cref="IterationInterval"/> and at the end only. A
    /// checkpoint of a model of a few MB takes milliseconds to write.
    /// </summary>
    /// <value>Default 5 seconds.</value>
    public TimeSpan? Interval
    {
        get => _interval;
        init => _interval = OptionChecks.Valid(value, value is null || value > TimeSpan.Zero, nameof(Interval), "The checkpoint interval must be positive (e.g. 5 s), or null to save by iteration count only.");
    }

    /// <summary>Also save every this many meta-iterations (counted from iteration 0); 0 saves by <see cref="Interval"/> only. <value>Default 0.</value></summary>
    public int IterationInterval
    {
        get => _iterationInterval;
        init => _iterationInterval = OptionChecks.AtLeast(value, 0, nameof(IterationInterval), "Use 0 to save by time only.");
    }

    /// <summary>
    /// When the <see cref="MetaTrainer.Train"/> call is cancelled, save the state after the last whole meta-iteration
    /// before the <see cref="OperationCanceledException"/> reaches the caller, so the run can be resumed exactly.
    /// </summary>
    /// <value>Default true.</value>
    public bool SaveOnCancel { get; init; } = true;

    /// <summary>The clock that <see cref="Interval"/> is measured with. <value>Default <see cref="TimeProvider.System"/>.</value></summary>
    public TimeProvider Clock { get => _clock; init => _clock = value ?? throw new ArgumentNullException(nameof(Clock)); }
}
