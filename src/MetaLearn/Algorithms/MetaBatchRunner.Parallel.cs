using System.Runtime.ExceptionServices;
using TorchSharp.Modules;

namespace MetaLearn.Algorithms;

/// <summary>Several tasks of a per-episode meta-batch at once, each on a thread of its own (<see cref="InnerLoopOptions.ParallelTasks"/>).</summary>
internal static partial class MetaBatchRunner
{
    /// <summary>
    /// A per-task step that returns its share of the meta-gradient instead of adding it to <c>grad</c>: one tensor per
    /// parameter of the plan (null where the step does not reach it), and each task's query loss and accuracy (null for
    /// regression), detached. The caller owns the gradients.
    /// </summary>
    public delegate (Tensor Losses, Tensor? Accuracies, Tensor?[] Gradients) GradientStep(EpisodeSide support, EpisodeSide query, int tasks);

    /// <summary>How a meta-batch that runs per episode runs <paramref name="Threads"/> tasks at once.</summary>
    /// <param name="Threads">Tasks computed at once (at least 2 for the plan to be used).</param>
    /// <param name="Parameters">The parameters whose <c>grad</c> the tasks' shares are added to, in the step's order.</param>
    /// <param name="Step">The algorithm's gradient-returning step.</param>
    public sealed record ParallelPlan(int Threads, IReadOnlyList<Parameter> Parameters, GradientStep Step);

    /// <summary>
    /// Runs the episodes on <see cref="ParallelPlan.Threads"/> threads (fewer when there are fewer episodes), each with
    /// its share of the caller's libtorch intra-op threads, and adds each task's meta-gradient into the parameters'
    /// <c>grad</c> on the calling thread in task order, so the sum does not depend on the schedule. At most twice as many
    /// tasks as threads are computed ahead of the sum. A failure stops the other threads after their current task and is
    /// rethrown here; every tensor a thread made is freed.
    /// </summary>
    private static MetaBatchResult RunParallel(IReadOnlyList<Episode> batch, ParallelPlan plan, int metaBatchSize)
    {
        int tasks = batch.Count;
        int workers = Math.Min(plan.Threads, tasks);
        int callerThreads = get_num_threads();
        int intraOp = Math.Max(1, callerThreads / workers);
        var outcomes = new TaskOutcome?[tasks];
        var gate = new object();
        int next = -1;
        bool stop = false;
        using var ready = new CountdownEvent(workers);
        using var window = new SemaphoreSlim(2 * workers);

        void Work()
        {
            try
            {
                // libtorch copies its global thread count into a thread at the thread's first call; after that,
                // set_num_threads changes this thread's count (and the global one, which the caller restores below).
                get_num_threads();
                set_num_threads(intraOp);
            }
            finally
            {
                ready.Signal();
            }

            while (true)
            {
                window.Wait();
                int t = Interlocked.Increment(ref next);
                if (t >= tasks || Volatile.Read(ref stop))
                {
                    window.Release();
                    return;
                }

                var outcome = Compute(batch[t], plan.Step, metaBatchSize);
                lock (gate)
                {
                    outcomes[t] = outcome;
                    Monitor.PulseAll(gate);
                }
            }
        }

        var threads = Enumerable.Range(0, workers).Select(i => new Thread(Work, 16 << 20) { IsBackground = true, Name = $"MetaLearn task {i}" }).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        ready.Wait();
        set_num_threads(callerThreads);

        double lossSum = 0;
        double accuracySum = 0;
        Exception? failure = null;
        try
        {
            for (int t = 0; t < tasks; t++)
            {
                TaskOutcome outcome;
                lock (gate)
                {
                    while (outcomes[t] is null)
                    {
                        Monitor.Wait(gate);
                    }

                    outcome = outcomes[t]!;
                    outcomes[t] = null;
                }

                if (outcome.Failure is not null)
                {
                    failure = outcome.Failure;
                    break;
                }

                Accumulate(plan.Parameters, outcome.Gradients);
                outcome.Dispose();
                lossSum += outcome.Loss;
                accuracySum += outcome.Accuracy;
                window.Release();
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            window.Release(workers);
            foreach (var thread in threads)
            {
                thread.Join();
            }

            foreach (var left in outcomes)
            {
                left?.Dispose();
            }
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }

        return new MetaBatchResult(lossSum / tasks, accuracySum / tasks, tasks, false);
    }

    /// <summary>One task's step in a dispose scope of this thread; the gradients outlive it, owned by the outcome.</summary>
    private static TaskOutcome Compute(Episode episode, GradientStep step, int metaBatchSize)
    {
        try
        {
            using var scope = NewDisposeScope();
            var (loss, accuracy, gradients) = step(EpisodeSide.Support(episode), EpisodeSide.Query(episode), metaBatchSize);
            double l = loss.ReadDouble();
            double a = accuracy?.ReadDouble() ?? double.NaN;
            foreach (var g in gradients)
            {
                g?.DetachFromDisposeScope();
            }

            return new TaskOutcome(l, a, gradients, null);
        }
        catch (Exception ex)
        {
            return new TaskOutcome(double.NaN, double.NaN, Array.Empty<Tensor?>(), ex);
        }
    }

    /// <summary>Adds one task's share to each parameter's <c>grad</c> as backward would (the first share becomes the gradient).</summary>
    private static void Accumulate(IReadOnlyList<Parameter> parameters, Tensor?[] gradients)
    {
        // Reading .grad makes a wrapper each time; the scope frees the wrappers, not the gradients.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < gradients.Length; i++)
        {
            if (gradients[i] is not Tensor g)
            {
                continue;
            }

            if (parameters[i].grad is Tensor existing)
            {
                existing.add_(g);
            }
            else
            {
                parameters[i].grad = g;
            }
        }
    }

    /// <summary>One task's result: its query loss and accuracy and the gradients it owns, or the exception it threw.</summary>
    private sealed record TaskOutcome(double Loss, double Accuracy, Tensor?[] Gradients, Exception? Failure) : IDisposable
    {
        public void Dispose()
        {
            foreach (var g in Gradients)
            {
                g?.Dispose();
            }
        }
    }
}
