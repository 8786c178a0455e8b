namespace MetaLearn.Training;

/// <summary>A progress report of <see cref="MetaTrainer"/>.</summary>
/// <param name="Iteration">Meta-iterations done in total.</param>
/// <param name="TargetIteration">The iteration this training call stops at.</param>
/// <param name="QueryLoss">Mean query loss of the last meta-batch.</param>
/// <param name="QueryAccuracy">Mean query accuracy of the last meta-batch (NaN for regression).</param>
/// <param name="ValidationLoss">Loss of the last validation, if any.</param>
/// <param name="ValidationAccuracy">Accuracy of the last validation, if any (NaN for regression).</param>
public sealed record TrainingProgress(int Iteration, int TargetIteration, double QueryLoss, double QueryAccuracy, double? ValidationLoss, double? ValidationAccuracy)
{
    /// <summary>
    /// A progress sink for <see cref="MetaTrainer.Train"/> that runs <paramref name="handler"/> at once, on the thread
    /// that reports (the training thread), so a console display stays in order with the caller's own output. The
    /// framework's <see cref="Progress{T}"/> posts each report to the captured synchronization context (right for a UI
    /// thread) or, in a console app, to the thread pool, where its handler runs later.
    /// </summary>
    /// <param name="handler">Called with every report; training waits for it to return.</param>
    /// <returns>The sink to pass as <c>progress</c>.</returns>
    public static IProgress<TrainingProgress> Synchronous(Action<TrainingProgress> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return new SynchronousProgress(handler);
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> handler) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => handler(value);
    }
}
