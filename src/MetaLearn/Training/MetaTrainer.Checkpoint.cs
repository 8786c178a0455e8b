using TorchSharp.Modules;

namespace MetaLearn.Training;

public sealed partial class MetaTrainer
{
    private long _lastCheckpoint;

    /// <summary>
    /// Writes everything needed to resume training exactly: the iteration; what decides the episode stream (the seed,
    /// the meta-batch size, the type and options of the last <see cref="Train"/> call's sampler and the SHA-256 of one of
    /// its episodes); the meta-parameters (model parameters and learned step sizes); the best validation state (score, meta-parameters
    /// and model buffers); the
    /// model's buffers (<see cref="IFunctionalModel.Buffers"/>: batch norms' running statistics, a fusion model's branches'
    /// too) and the states of its generators (<see cref="IFunctionalModel.Generators"/>: dropout masks), each list with
    /// its names; the outer optimizer's state; and a SHA-256 over all of it. The file is written to a temporary file beside
    /// <paramref name="path"/>, flushed to disk and renamed over it, so a crash or kill mid-write leaves the previous
    /// checkpoint in place.
    /// </summary>
    /// <exception cref="NotSupportedException">The outer optimizer cannot save its state.</exception>
    public void SaveCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var optimizer = _outer.Optimizer as OptimizerHelper
            ?? throw new NotSupportedException($"The outer optimizer {OptimizerStateCheck.Describe(_outer.Optimizer.GetType().Name)} cannot save its state; use a TorchSharp optimizer (SafeOptimizers.Adam, SafeOptimizers.Sgd, ...) to checkpoint.");
        TrainerCheckpoint.Save(path, Algorithm, Iteration, _best, _streams.Current(), optimizer);
    }

    /// <summary>
    /// Restores a checkpoint written by <see cref="SaveCheckpoint"/> into this trainer, whose algorithm must have the same
    /// meta-parameter shapes and dtypes and whose options the same <see cref="MetaTrainerOptions.Seed"/> and
    /// <see cref="MetaTrainerOptions.MetaBatchSize"/>; the next <see cref="Train"/> call, given a sampler of the same type,
    /// options and data, continues exactly where the saved training was (another sampler is refused there). The file's
    /// checksum and every tensor's dtype and shape are verified before any tensor is allocated from it or anything is
    /// restored, so a bad file leaves the trainer as it was. The file's length is checked against
    /// <see cref="InputLimits.MaxFileBytes"/> before it is read, and the outer optimizer's state tensors against the
    /// meta-parameters' shapes before TorchSharp allocates any of them.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="limits">How large the file may be; null for <see cref="InputLimits.Default"/>.</param>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is larger than <paramref name="limits"/> allow, is not a version-3 MetaLearn checkpoint (versions 1 and 2
    /// are refused as older formats), is truncated or corrupted, or was written for another algorithm, model (other
    /// parameters, buffers or generators) or optimizer.
    /// </exception>
    /// <exception cref="InvalidOperationException">The checkpoint was written with another seed or meta-batch size.</exception>
    public void LoadCheckpoint(string path, InputLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var optimizer = _outer.Optimizer as OptimizerHelper
            ?? throw new NotSupportedException($"The outer optimizer {OptimizerStateCheck.Describe(_outer.Optimizer.GetType().Name)} cannot load a state.");
        var (iteration, stream) = TrainerCheckpoint.Load(path, limits ?? InputLimits.Default, Algorithm, optimizer, _best, _streams);
        Iteration = iteration;
        _streams.Resume(stream);
    }

    /// <summary>Starts the clock of <see cref="CheckpointOptions.Interval"/> at the start of a <see cref="Train"/> call.</summary>
    private void StartCheckpointClock() => _lastCheckpoint = Options.Checkpoint?.Clock.GetTimestamp() ?? 0;

    /// <summary>Saves a checkpoint when <see cref="MetaTrainerOptions.Checkpoint"/> says one is due after this meta-iteration.</summary>
    private void SaveCheckpointIfDue(int end)
    {
        if (Options.Checkpoint is not { } checkpoint)
        {
            return;
        }

        bool due = Iteration == end
            || (checkpoint.IterationInterval > 0 && Iteration % checkpoint.IterationInterval == 0)
            || (checkpoint.Interval is { } interval && checkpoint.Clock.GetElapsedTime(_lastCheckpoint) >= interval);
        if (due)
        {
            SaveCheckpoint(checkpoint.Path);
            _lastCheckpoint = checkpoint.Clock.GetTimestamp();
        }
    }
}
