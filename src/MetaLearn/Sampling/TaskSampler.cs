namespace MetaLearn.Sampling;

/// <summary>
/// The base of the synthetic task samplers: it holds the options, validated once when the sampler is created (before
/// any episode is drawn), and leaves <see cref="Sample"/> to the derived sampler. Derive from it to write a task
/// distribution of your own with an options record derived from <see cref="FewShotTaskOptions"/>.
/// </summary>
/// <typeparam name="TOptions">The options record of the task distribution.</typeparam>
internal abstract class TaskSampler<TOptions> : ITaskSampler
    where TOptions : FewShotTaskOptions
{
    /// <summary>Validates <paramref name="options"/> (<see cref="FewShotTaskOptions.Validate"/>) and keeps them.</summary>
    /// <param name="options">The task distribution.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The options break a rule of their <see cref="FewShotTaskOptions.Validate"/>.</exception>
    protected TaskSampler(TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The task distribution.</summary>
    public TOptions Options { get; }

    /// <inheritdoc />
    public abstract Episode Sample(int seed);
}
