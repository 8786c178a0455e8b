using MetaLearn.Sampling;
using MetaLearn.Tasks;

namespace MetaLearn.Distributed.Tests;

/// <summary>
/// make_classification tasks, with an optional gate: once armed, the next episode drawn holds its worker inside the task
/// (and says so) until the gate opens, so a test can stop that worker's silo while it computes. Instances with equal
/// options draw equal episodes and describe themselves alike, whether they have a gate or not.
/// </summary>
public sealed class GateSampler(MakeClassificationTaskOptions options, GateSampler.Gate? gate = null) : ITaskSampler
{
    private readonly MakeClassificationTaskSampler _inner = new(options);

    public MakeClassificationTaskOptions Options => _inner.Options;

    public Episode Sample(int seed)
    {
        gate?.Pass();
        return _inner.Sample(seed);
    }

    /// <summary>Holds the first episode drawn after <see cref="Arm"/> until <see cref="Open"/>.</summary>
    public sealed class Gate : IDisposable
    {
        private readonly ManualResetEventSlim _entered = new();
        private readonly ManualResetEventSlim _open = new();
        private int _armed;

        public void Arm() => Interlocked.Exchange(ref _armed, 1);

        /// <summary>Waits until a worker is held inside a task.</summary>
        public bool WaitEntered(TimeSpan timeout) => _entered.Wait(timeout);

        public void Open() => _open.Set();

        public void Dispose()
        {
            _entered.Dispose();
            _open.Dispose();
        }

        internal void Pass()
        {
            if (Interlocked.Exchange(ref _armed, 0) == 1)
            {
                _entered.Set();
                _open.Wait(TimeSpan.FromSeconds(60));
            }
        }
    }
}
