namespace MetaLearn.Training;

/// <summary>
/// An <see cref="IProgress{T}"/> that runs its handler on the thread that reports, at once. The framework's
/// <see cref="Progress{T}"/> posts to the captured synchronization context or the thread pool, so in a console app its
/// handler runs later on another thread, out of order with the caller's own output; use this one to drive a progress
/// display from <see cref="MetaTrainer.Train"/>.
/// </summary>
/// <typeparam name="T">The progress value, e.g. <see cref="TrainingProgress"/>.</typeparam>
public sealed class SynchronousProgress<T> : IProgress<T>
{
    private readonly Action<T> _handler;

    /// <summary>Creates a progress sink that calls <paramref name="handler"/> on every report.</summary>
    public SynchronousProgress(Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
    }

    /// <inheritdoc />
    public void Report(T value) => _handler(value);
}
