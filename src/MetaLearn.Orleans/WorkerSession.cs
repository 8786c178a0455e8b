using System.Runtime.CompilerServices;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace MetaLearn.Distributed;

/// <summary>
/// A worker's side of one training run: the model and algorithm built from the coordinator's definition, the worker's
/// sampler that draws the same episodes, and the meta-parameters of the meta-iteration loaded last.
/// </summary>
internal sealed class WorkerSession : IDisposable
{
    /// <summary>Each sampler's probe-episode stream, computed once (drawing an episode can read files).</summary>
    private static readonly ConditionalWeakTable<ITaskSampler, EpisodeStream> Streams = new();

    private readonly IFunctionalModel _model;
    private readonly EpisodicLearner _learner;
    private readonly ITaskSampler _sampler;
    private int? _iteration;

    private WorkerSession(TrainingDefinition definition, IFunctionalModel model, EpisodicLearner learner, ITaskSampler sampler)
    {
        Definition = definition;
        _model = model;
        _learner = learner;
        _sampler = sampler;
    }

    /// <summary>The run's definition.</summary>
    public TrainingDefinition Definition { get; }

    /// <summary>
    /// Builds the run's model and algorithm and finds the sampler, or says why this worker cannot take part: other
    /// versions, no sampler drawing the coordinator's episodes, a model kind not registered here, or a model or
    /// algorithm that comes out different from the coordinator's (dtypes and shapes, settings).
    /// </summary>
    public static (WorkerSession? Session, string? Refusal) Open(TrainingDefinition definition, MetaWorkerOptions options)
    {
        if (definition.Versions != TrainingDefinition.LocalVersions)
        {
            return (null, $"other versions: the coordinator runs {definition.Versions}, this worker {TrainingDefinition.LocalVersions}");
        }

        var sampler = options.Samplers.FirstOrDefault(s => StreamOf(s) is { } stream && stream.Sampler == definition.Sampler && stream.Digest == definition.SamplerDigest);
        if (sampler is null)
        {
            return (null, "none of this worker's samplers draws the coordinator's episodes: the coordinator trains on " + definition.Sampler + "; this worker has " +
                string.Join("; ", options.Samplers.Select(s => StreamOf(s)!.Sampler == definition.Sampler ? "the same sampler type and options over other data" : StreamOf(s)!.Sampler)));
        }

        IFunctionalModel? model = null;
        try
        {
            model = new ModelArchitecture(definition.ModelKind, JsonNode.Parse(definition.ModelOptions)!.AsObject()).Build();
            var algorithm = AlgorithmSettings.Build(JsonNode.Parse(definition.Algorithm)!.AsObject(), model);
            string? difference = Difference(definition, model, algorithm);
            if (difference is not null || algorithm is not EpisodicLearner learner)
            {
                algorithm.Dispose();
                model.Dispose();
                return (null, difference ?? $"the algorithm '{algorithm.Name}' built here does not decompose by task");
            }

            return (new WorkerSession(definition, model, learner, sampler), null);
        }
        catch (Exception ex) when (ex is NotSupportedException or ArgumentException or InvalidOperationException or System.Text.Json.JsonException or KeyNotFoundException or NullReferenceException)
        {
            model?.Dispose();
            return (null, $"this worker cannot build the coordinator's model '{definition.ModelKind}' and algorithm: {ex.Message}");
        }
    }

    /// <summary>Loads meta-iteration <paramref name="iteration"/>'s meta-parameters.</summary>
    public void Load(int iteration, byte[] parameters)
    {
        _iteration = null;
        TensorBytes.CopyInto(parameters, _learner.MetaParameters);
        _iteration = iteration;
    }

    /// <summary>Computes one task's share with the loaded meta-parameters, or says why it cannot (stale meta-parameters).</summary>
    public TaskResult Compute(TaskRequest request)
    {
        if (request.Run != Definition.Run || _iteration != request.Iteration)
        {
            string held = _iteration is int i ? $"those of meta-iteration {i}" : "none";
            return new TaskResult { Request = request, Stale = $"the worker holds {held}, not those of meta-iteration {request.Iteration}" };
        }

        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        foreach (var p in _learner.MetaParameters)
        {
            p.grad = null;
        }

        byte[]? noiseBefore = NoiseState();
        MetaBatchResult share;
        using (var episode = _sampler.Sample(request.Seed))
        {
            share = _learner.AccumulateShare(episode, request.Iteration, Definition.MetaBatchSize);
        }

        var grads = _learner.MetaParameters.Select(p => p.grad).ToArray();
        byte[]? noiseAfter = NoiseState();
        var result = new TaskResult
        {
            Request = request,
            Loss = share.MeanQueryLoss,
            Accuracy = share.MeanQueryAccuracy,
            HasGradient = grads.Select(g => g is not null).ToArray(),
            Gradient = TensorBytes.Join(grads.OfType<Tensor>()),
            ComputeMilliseconds = clock.Elapsed.TotalMilliseconds,
            DrewRandomNumbers = noiseBefore is not null && !noiseBefore.AsSpan().SequenceEqual(noiseAfter),
        };
        foreach (var p in _learner.MetaParameters)
        {
            p.grad = null;
        }

        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _learner.Dispose();
        _model.Dispose();
    }

    private static EpisodeStream? StreamOf(ITaskSampler sampler)
    {
        lock (Streams)
        {
            if (!Streams.TryGetValue(sampler, out var stream))
            {
                stream = EpisodeStream.Of(sampler, 0, 1, TrainingDefinition.ProbeSeed);
                Streams.Add(sampler, stream);
            }

            return stream;
        }
    }

    /// <summary>What differs between the definition and the model and algorithm this worker built from it, or null.</summary>
    private static string? Difference(TrainingDefinition definition, IFunctionalModel model, IMetaAlgorithm algorithm)
    {
        var parameters = TrainingDefinition.Signature(algorithm.MetaParameters);
        if (!parameters.SequenceEqual(definition.Parameters))
        {
            int i = Enumerable.Range(0, Math.Min(parameters.Length, definition.Parameters.Length)).FirstOrDefault(k => parameters[k] != definition.Parameters[k], -1);
            return i >= 0
                ? $"the model differs: meta-parameter {i} is {parameters[i]} here and {definition.Parameters[i]} at the coordinator"
                : $"the model differs: it has {parameters.Length} meta-parameters here and {definition.Parameters.Length} at the coordinator";
        }

        string settings = AlgorithmSettings.Describe(algorithm).ToJsonString();
        if (settings != definition.Algorithm)
        {
            return $"the algorithm settings differ: {settings} here, {definition.Algorithm} at the coordinator";
        }

        if (model is FunctionalModel { Buffers.Count: > 0 })
        {
            return "the model built here keeps batch-norm running statistics, which do not decompose by task";
        }

        return null;
    }

    /// <summary>The state of the model's dropout generator (null for a model without one).</summary>
    private byte[]? NoiseState()
    {
        if (_model is not FunctionalModel functional)
        {
            return null;
        }

        using var state = functional.Noise.get_state();
        return state.bytes.ToArray();
    }
}
