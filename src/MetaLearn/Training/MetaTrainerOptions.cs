using TorchSharp.Modules;

namespace MetaLearn.Training;

/// <summary>Options of <see cref="MetaTrainer"/>.</summary>
public sealed record MetaTrainerOptions
{
    private readonly int _iterations = 1000;
    private readonly int _metaBatchSize = 25;
    private readonly double _outerLearningRate = 1e-3;
    private readonly double? _gradientClipNorm;
    private readonly int _validationInterval;
    private readonly int _validationEpisodes = 100;
    private readonly int _prefetchBatches;

    /// <summary>Meta-iterations (outer optimizer steps) per <see cref="MetaTrainer.Train"/> call. <value>Default 1000.</value></summary>
    public int Iterations { get => _iterations; init => _iterations = OptionChecks.AtLeast(value, 1, nameof(Iterations), "Train for at least one iteration."); }

    /// <summary>Episodes per meta-batch. <value>Default 25.</value></summary>
    public int MetaBatchSize { get => _metaBatchSize; init => _metaBatchSize = OptionChecks.AtLeast(value, 1, nameof(MetaBatchSize), "A meta-batch needs at least one episode."); }

    /// <summary>Learning rate of the default outer optimizer (<see cref="SafeOptimizers.Adam"/>). <value>Default 0.001.</value></summary>
    public double OuterLearningRate
    {
        get => _outerLearningRate;
        init => _outerLearningRate = OptionChecks.PositiveFinite(value, nameof(OuterLearningRate), "The outer learning rate must be positive and finite (e.g. 0.001).");
    }

    /// <summary>
    /// Builds the outer optimizer over the meta-parameters; null uses <see cref="SafeOptimizers.Adam"/> with
    /// <see cref="OuterLearningRate"/>. Prefer <see cref="SafeOptimizers.Adam"/> or <see cref="SafeOptimizers.Sgd"/> when episodes are prepared
    /// on a background thread (<see cref="PrefetchBatches"/>): TorchSharp's own optimizers pass temporary native Scalars
    /// that a collection triggered by that thread can free mid-step.
    /// </summary>
    /// <value>Default null.</value>
    public Func<IReadOnlyList<Parameter>, optim.Optimizer>? OptimizerFactory { get; init; }

    /// <summary>
    /// Builds a learning-rate scheduler over the outer optimizer (any TorchSharp scheduler, e.g.
    /// <c>o => optim.lr_scheduler.CosineAnnealingLR(o, T_max: 1000)</c>); null keeps the learning rate fixed. The trainer
    /// steps it once after every meta-iteration, skipped ones included, so the schedule follows the iteration count and
    /// a resumed run continues it exactly.
    /// </summary>
    /// <value>Default null.</value>
    public Func<optim.Optimizer, optim.lr_scheduler.LRScheduler>? LearningRateScheduler { get; init; }

    /// <summary>Clip the meta-gradient's global L2 norm to this value; null does not clip. <value>Default null.</value></summary>
    public double? GradientClipNorm
    {
        get => _gradientClipNorm;
        init => _gradientClipNorm = OptionChecks.Valid(value, value is null || (value > 0 && double.IsFinite(value.Value)), nameof(GradientClipNorm), "The clipping norm must be positive and finite, or null.");
    }

    /// <summary>Validate every this many iterations (0: never). <value>Default 0.</value></summary>
    public int ValidationInterval { get => _validationInterval; init => _validationInterval = OptionChecks.AtLeast(value, 0, nameof(ValidationInterval), "Use 0 to turn validation off."); }

    /// <summary>Episodes per validation (the same episodes every time). <value>Default 100.</value></summary>
    public int ValidationEpisodes { get => _validationEpisodes; init => _validationEpisodes = OptionChecks.AtLeast(value, 2, nameof(ValidationEpisodes), "Validation needs at least 2 episodes."); }

    /// <summary>After training, put back the meta-parameters and model buffers (running statistics) of the best validation. <value>Default true.</value></summary>
    public bool RestoreBestParameters { get; init; } = true;

    /// <summary>Root seed of the training and validation episodes. <value>Default 0.</value></summary>
    public int Seed { get; init; }

    /// <summary>What to do with a NaN or infinite loss or gradient. <value>Default <see cref="NonFiniteLossPolicy.Throw"/>.</value></summary>
    public NonFiniteLossPolicy NonFiniteLoss { get; init; } = NonFiniteLossPolicy.Throw;

    /// <summary>
    /// Meta-batches prepared ahead on a background thread while the model trains (0: prepare on the training thread).
    /// Episodes are pure functions of their seeds, so results do not depend on this. Off by default: TorchSharp 0.107
    /// passes temporary native Scalars (e.g. the implicit alpha of every tensor addition) without keeping them alive,
    /// and a garbage collection triggered by a second allocating thread can free one mid-call; MetaLearn's own code
    /// and its optimizers (<see cref="SafeOptimizers"/>, the default outer one included) hold their Scalars (a 30-minute
    /// soak run under forced collections finished with losses identical to a quiet run), but other TorchSharp internals
    /// may not. On the sine and make_classification benchmark workloads it gave no clear speed-up, so it stays off; enable
    /// it when episode preparation is expensive (image decoding, augmentation) and validate a long run.
    /// </summary>
    /// <value>Default 0.</value>
    public int PrefetchBatches { get => _prefetchBatches; init => _prefetchBatches = OptionChecks.AtLeast(value, 0, nameof(PrefetchBatches), "Use 0 to prepare episodes on the training thread."); }

    /// <summary>
    /// Where and when <see cref="MetaTrainer.Train"/> writes checkpoints (periodically by time or iteration count, at the
    /// end of each call, and when cancelled); null writes none.
    /// </summary>
    /// <value>Default null.</value>
    public CheckpointOptions? Checkpoint { get; init; }

    /// <summary>
    /// Computes each meta-batch in the trainer's place (e.g. MetaLearn.Orleans' workers on other machines): the trainer
    /// hands it the meta-iteration's episode seeds, then clips and steps the outer optimizer with what it accumulated.
    /// Null computes in this process. <see cref="PrefetchBatches"/> does not apply with one.
    /// </summary>
    /// <value>Default null.</value>
    public IMetaBatchExecutor? MetaBatchExecutor { get; init; }

    /// <summary>Report progress every this many iterations. <value>Default 10.</value></summary>
    public int ProgressInterval { get; init; } = 10;
}
