using MetaLearn.Sampling;

namespace MetaLearn.Training;

/// <summary>
/// Makes a resumed training draw the episodes the saved one would have drawn: records the episode stream of the sampler
/// a <see cref="MetaTrainer.Train"/> call uses (for checkpoints), and after a checkpoint is loaded refuses a seed,
/// meta-batch size or sampler (type, options or episodes) other than the checkpoint's.
/// </summary>
internal sealed class EpisodeStreamCheck
{
    private readonly MetaTrainerOptions _options;
    private readonly int _probeSeed;

    /// <summary>The episode stream of the loaded checkpoint, checked against the next <see cref="MetaTrainer.Train"/> call's sampler.</summary>
    private EpisodeStream? _resumed;

    /// <summary>The sampler of the current or last <see cref="MetaTrainer.Train"/> call (not owned).</summary>
    private ITaskSampler? _sampler;

    /// <summary>The episode stream of <see cref="_sampler"/>, computed when first needed.</summary>
    private EpisodeStream? _stream;

    /// <summary>Creates the check for a trainer with <paramref name="options"/>.</summary>
    /// <param name="options">The trainer's options (seed, meta-batch size, checkpoints).</param>
    /// <param name="probeSeed">The seed of the episode whose digest identifies a sampler's stream.</param>
    public EpisodeStreamCheck(MetaTrainerOptions options, int probeSeed)
    {
        _options = options;
        _probeSeed = probeSeed;
    }

    /// <summary>
    /// Starts a <see cref="MetaTrainer.Train"/> call on <paramref name="sampler"/>: after <see cref="Resume"/>, refuses a
    /// sampler whose type, options or episodes differ from the checkpoint's. The stream is computed now when it is
    /// needed (a check, or checkpoints to write), so a sampler disposed after training is never sampled again.
    /// </summary>
    /// <exception cref="InvalidOperationException">The sampler would not continue the loaded checkpoint's stream.</exception>
    public void Begin(ITaskSampler sampler)
    {
        if (!ReferenceEquals(sampler, _sampler))
        {
            _sampler = sampler;
            _stream = null;
        }

        if (_resumed is { } resumed)
        {
            if (resumed.SamplerDifference(Current()) is { } difference)
            {
                throw new InvalidOperationException(
                    $"Cannot continue the loaded checkpoint: {difference}. Resume with the same sampler type, options and data: " +
                    "another sampler draws other episodes, so the run would not continue exactly.");
            }

            _resumed = null;
        }
        else if (_options.Checkpoint is not null)
        {
            Current();
        }
    }

    /// <summary>The stream a checkpoint written now records.</summary>
    public EpisodeStream Current()
    {
        if (_sampler is null)
        {
            return _resumed ?? new EpisodeStream(_options.Seed, _options.MetaBatchSize, string.Empty, string.Empty);
        }

        return _stream ??= EpisodeStream.Of(_sampler, _options.Seed, _options.MetaBatchSize, _probeSeed);
    }

    /// <summary>Refuses a checkpoint written with another seed or meta-batch size (checked before anything is restored).</summary>
    /// <exception cref="InvalidOperationException">The seed or meta-batch size differs.</exception>
    public void CheckSeedAndBatchSize(EpisodeStream saved, string path)
    {
        var differing = new List<string>();
        if (saved.Seed != _options.Seed)
        {
            differing.Add($"Seed = {saved.Seed} in the checkpoint, {_options.Seed} in this trainer");
        }

        if (saved.MetaBatchSize != _options.MetaBatchSize)
        {
            differing.Add($"MetaBatchSize = {saved.MetaBatchSize} in the checkpoint, {_options.MetaBatchSize} in this trainer");
        }

        if (differing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Cannot resume from '{path}': {string.Join("; ", differing)}. These decide every episode's seed, so the run would not continue " +
                "exactly; build the trainer with the checkpoint's values.");
        }
    }

    /// <summary>A checkpoint with stream <paramref name="saved"/> was loaded: the next <see cref="Begin"/> checks its sampler against it.</summary>
    public void Resume(EpisodeStream saved)
    {
        _resumed = saved;
        _sampler = null;
        _stream = null;
    }
}
