using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace MetaLearn.Tests;

/// <summary>
/// Counts the objects the finaliser thread finalises, by type, from the runtime's own <c>FinalizeObject</c> events
/// (GC keyword, verbose level), for the TorchSharp types: a <c>Scalar</c> or tensor that reaches its finaliser was not
/// disposed. Create it before the work, and call <see cref="Finalised"/> after it to flush the work's garbage and read
/// what was finalised.
/// </summary>
internal sealed class FinalizerCounter : EventListener
{
    private const int FinalizeObjectEvent = 29;
    private static readonly Dictionary<nint, Type> TorchTypes = typeof(TorchSharp.torch.Tensor).Assembly.GetTypes()
        .Where(t => !t.ContainsGenericParameters)
        .ToDictionary(t => t.TypeHandle.Value);

    private static readonly nint ControlType = typeof(Control).TypeHandle.Value;

    private readonly ConcurrentDictionary<Type, int> _counts = new();
    private int _controls;

    /// <summary>Starts counting, after earlier garbage is finalised and its events (which may still be on their way) have arrived.</summary>
    public FinalizerCounter()
    {
        Flush();
        Drain();
        _counts.Clear();
    }

    /// <summary>Collects garbage and runs the pending finalisers, so that earlier work is not counted.</summary>
    public static void Flush()
    {
        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    /// <summary>
    /// Flushes the garbage of the work done since the counter was created, then one deliberately leaked
    /// <see cref="Scalar"/> (a control: its event proves the events arrive and that the earlier ones have arrived),
    /// and returns the TorchSharp objects finalised besides the control, by type name.
    /// </summary>
    /// <exception cref="TimeoutException">The control's event did not arrive within 30 s.</exception>
    public IReadOnlyDictionary<string, int> Finalised()
    {
        Flush();
        Drain();
        return _counts.Where(p => p.Value > 0).ToDictionary(p => p.Key.FullName!, p => p.Value);
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventId != FinalizeObjectEvent || eventData.Payload is not { Count: > 0 } payload)
        {
            return;
        }

        // The payload's TypeID is the object's method table, which is the type handle's value (an IntPtr here).
        nint typeId = payload[0] switch
        {
            IntPtr p => p,
            ulong u => (nint)u,
            _ => 0,
        };
        if (typeId == ControlType)
        {
            Interlocked.Increment(ref _controls);
        }
        else if (TorchTypes.TryGetValue(typeId, out var type))
        {
            _counts.AddOrUpdate(type, 1, (_, c) => c + 1);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void LeakControl() => _ = new Control();

    /// <summary>
    /// Leaves one <see cref="Control"/> to the finaliser and waits for its event: the finaliser thread's events arrive
    /// in order, so every finalisation before it has been counted by then (the control proves the events arrive at all).
    /// </summary>
    private void Drain()
    {
        int controls = Volatile.Read(ref _controls);
        LeakControl();
        Flush();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Volatile.Read(ref _controls) <= controls)
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("The runtime's FinalizeObject event of the control object did not arrive; the counter cannot see finalisations.");
            }

            Thread.Sleep(10);
        }
    }

    /// <summary>An object whose only purpose is to be finalised.</summary>
    private sealed class Control
    {
        ~Control()
        {
        }
    }
}
