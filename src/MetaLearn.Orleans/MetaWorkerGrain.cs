using Microsoft.Extensions.Logging;

namespace MetaLearn.Distributed;

/// <summary>
/// A silo's worker. Its work runs on a thread-pool thread, one call at a time (the grain is not reentrant), so a long
/// task never blocks Orleans' scheduler and TorchSharp's dispose scopes stay on one thread.
/// </summary>
[WorkerSiloPlacement]
internal sealed partial class MetaWorkerGrain(MetaWorkerOptions options, ILocalSiloDetails silo, ILogger<MetaWorkerGrain> logger) : Grain, IMetaWorkerGrain
{
    private WorkerSession? _session;

    private string Name => silo.SiloAddress.ToParsableString();

    public async Task<WorkerReply> Prepare(TrainingDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (_session?.Definition.Run == definition.Run)
        {
            return new WorkerReply { Worker = Name };
        }

        _session?.Dispose();
        _session = null;
        var (session, refusal) = await Task.Run(() => WorkerSession.Open(definition, options));
        _session = session;
        if (refusal is not null)
        {
            LogRefused(refusal);
        }

        return new WorkerReply { Worker = Name, Refusal = refusal };
    }

    public async Task<WorkerReply> Load(Guid run, int iteration, byte[] parameters)
    {
        if (_session is not { } session || session.Definition.Run != run)
        {
            return new WorkerReply { Worker = Name, Refusal = "the worker is not prepared for this run" };
        }

        await Task.Run(() => session.Load(iteration, parameters));
        return new WorkerReply { Worker = Name };
    }

    public Task<TaskResult> Compute(TaskRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_session is not { } session)
        {
            return Task.FromResult(new TaskResult { Request = request, Stale = "the worker is not prepared" });
        }

        return Task.Run(() => session.Compute(request));
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _session?.Dispose();
        _session = null;
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a training: {Refusal}")]
    private partial void LogRefused(string refusal);
}
