namespace MetaLearn.Distributed;

public sealed partial class OrleansMetaBatchExecutor
{
    /// <summary>
    /// The workers that hold this meta-iteration's meta-parameters: finds the cluster's active silos, prepares the ones
    /// not yet prepared for the run (a silo that refuses is never asked again; one whose call fails is lost), and loads
    /// the meta-parameters into the first <see cref="DistributedTrainingOptions.MaxWorkers"/> of them.
    /// </summary>
    private async Task<IReadOnlyList<Worker>> ReadyWorkersAsync(TrainingDefinition definition, int iteration, byte[] parameters, CancellationToken cancellationToken)
    {
        var hosts = await _grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        var candidates = new List<Worker>();
        foreach (var silo in hosts.Keys.Select(s => s.ToParsableString()).Order(StringComparer.Ordinal))
        {
            Worker? worker;
            lock (_workers)
            {
                if (_refused.ContainsKey(silo) || _lost.ContainsKey(silo))
                {
                    continue;
                }

                if (!_workers.TryGetValue(silo, out worker))
                {
                    worker = new Worker(silo, _grains.GetGrain<IMetaWorkerGrain>(silo));
                    _workers[silo] = worker;
                }
            }

            candidates.Add(worker);
        }

        var ready = new List<Worker>();
        foreach (var worker in candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Options.MaxWorkers is int max && ready.Count >= max)
            {
                break;
            }

            if (await TryReadyAsync(worker, definition, iteration, parameters))
            {
                ready.Add(worker);
            }
        }

        return ready;
    }

    /// <summary>Prepares <paramref name="worker"/> for the run if needed and loads the iteration's meta-parameters.</summary>
    /// <returns>Whether the worker is ready.</returns>
    private async Task<bool> TryReadyAsync(Worker worker, TrainingDefinition definition, int iteration, byte[] parameters)
    {
        try
        {
            if (!worker.Prepared)
            {
                Count(sent: 512 + definition.ModelOptions.Length + definition.Algorithm.Length + definition.Sampler.Length);
                var reply = await worker.Grain.Prepare(definition);
                if (reply.Refusal is not null)
                {
                    lock (_workers)
                    {
                        _refused[worker.Name] = reply.Refusal;
                    }

                    LogRefused(worker.Name, reply.Refusal);
                    return false;
                }

                worker.Prepared = true;
                worker.LoadedIteration = null;
                LogJoined(worker.Name);
            }

            if (worker.LoadedIteration != iteration)
            {
                Count(sent: parameters.Length + 32);
                var loaded = await worker.Grain.Load(definition.Run, iteration, parameters);
                if (loaded.Refusal is not null)
                {
                    // Reactivated since it was prepared: prepare it again next time.
                    worker.Prepared = false;
                    return false;
                }

                worker.LoadedIteration = iteration;
            }

            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Lose(worker, ex);
            return false;
        }
    }

    /// <summary>A worker silo as the coordinator sees it.</summary>
    private sealed class Worker(string name, IMetaWorkerGrain grain)
    {
        public string Name { get; } = name;

        public IMetaWorkerGrain Grain { get; } = grain;

        public bool Prepared { get; set; }

        public int? LoadedIteration { get; set; }

        public bool Lost { get; set; }
    }
}
