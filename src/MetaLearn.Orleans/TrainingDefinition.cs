using System.Reflection;

namespace MetaLearn.Distributed;

/// <summary>
/// Everything a worker needs to compute a training's tasks, and everything it must agree on: the model as a learner file
/// describes it (registered kind and options), the algorithm's settings, the sampler (type, options and the hash of one
/// episode), the meta-batch size, the meta-parameters' dtypes and shapes, and the versions of MetaLearn, this package and
/// the protocol.
/// </summary>
[GenerateSerializer]
[Immutable]
internal sealed record TrainingDefinition
{
    /// <summary>The seed of the probe episode whose hash identifies a sampler's episodes.</summary>
    public const int ProbeSeed = 20_190_601;

    /// <summary>Bumped when the messages between coordinator and workers change meaning.</summary>
    private const int Protocol = 1;

    /// <summary>Identifies one training run of one coordinator (a resumed coordinator starts a new run).</summary>
    [Id(0)]
    public Guid Run { get; init; }

    /// <summary>The model's registered kind (<see cref="ModelArchitecture.Kind"/>).</summary>
    [Id(1)]
    public string ModelKind { get; init; } = string.Empty;

    /// <summary>The model's options as JSON (<see cref="ModelArchitecture.Options"/>).</summary>
    [Id(2)]
    public string ModelOptions { get; init; } = string.Empty;

    /// <summary>The algorithm's name and settings as JSON, as a learner file stores them.</summary>
    [Id(3)]
    public string Algorithm { get; init; } = string.Empty;

    /// <summary>The sampler's type and options.</summary>
    [Id(4)]
    public string Sampler { get; init; } = string.Empty;

    /// <summary>SHA-256 of the sampler's episode for <see cref="ProbeSeed"/>.</summary>
    [Id(5)]
    public string SamplerDigest { get; init; } = string.Empty;

    /// <summary>Episodes per meta-batch (each task's share is scaled by its inverse).</summary>
    [Id(6)]
    public int MetaBatchSize { get; init; }

    /// <summary>Each meta-parameter's dtype and shape, in order.</summary>
    [Id(7)]
    public string[] Parameters { get; init; } = Array.Empty<string>();

    /// <summary>MetaLearn's, this package's and the protocol's versions.</summary>
    [Id(8)]
    public string Versions { get; init; } = string.Empty;

    /// <summary>The versions this process runs.</summary>
    public static string LocalVersions =>
        $"MetaLearn {VersionOf(typeof(IMetaAlgorithm).Assembly)}, MetaLearn.Orleans {VersionOf(typeof(TrainingDefinition).Assembly)}, protocol {Protocol}";

    /// <summary>The definition of training <paramref name="algorithm"/> on <paramref name="sampler"/>.</summary>
    /// <param name="algorithm">The coordinator's algorithm.</param>
    /// <param name="sampler">The coordinator's training sampler.</param>
    /// <param name="metaBatchSize">Episodes per meta-batch.</param>
    /// <param name="architecture">The model's architecture; null finds it from the model's registered type.</param>
    /// <exception cref="NotSupportedException">
    /// The algorithm's meta-gradient does not decompose by task, its model keeps state from task to task, or the model or
    /// algorithm cannot be described for a worker to rebuild (an unregistered model type, a custom loss).
    /// </exception>
    public static TrainingDefinition Of(IMetaAlgorithm algorithm, ITaskSampler sampler, int metaBatchSize, ModelArchitecture? architecture = null)
    {
        if (algorithm is not EpisodicLearner)
        {
            throw new NotSupportedException(
                $"The algorithm '{algorithm.Name}' ({algorithm.GetType().Name}) cannot be trained across machines: only MetaLearn's own algorithms " +
                "(MAML, first-order MAML, Meta-SGD, ANIL, ProtoNets, R2D2, CAVIA, iMAML, Reptile), whose meta-gradient is a sum of per-task terms, can.");
        }

        if (algorithm.Model is FunctionalModel { Buffers.Count: > 0 } withBuffers)
        {
            throw new NotSupportedException(
                $"The model keeps state that training passes update from task to task ({string.Join(", ", withBuffers.BufferNames)}: batch-norm running " +
                "statistics), so its meta-gradient does not decompose by task; train it in one process, or use batch norm without running statistics.");
        }

        architecture ??= ModelArchitecture.Of(algorithm.Model);
        var stream = EpisodeStream.Of(sampler, 0, metaBatchSize, ProbeSeed);
        return new TrainingDefinition
        {
            Run = Guid.NewGuid(),
            ModelKind = architecture.Kind,
            ModelOptions = architecture.Options.ToJsonString(),
            Algorithm = AlgorithmSettings.Describe(algorithm).ToJsonString(),
            Sampler = stream.Sampler,
            SamplerDigest = stream.Digest,
            MetaBatchSize = metaBatchSize,
            Parameters = Signature(algorithm.MetaParameters),
            Versions = LocalVersions,
        };
    }

    /// <summary>Each tensor's dtype and shape, e.g. <c>Float32 [64, 1, 3, 3]</c>.</summary>
    public static string[] Signature(IEnumerable<Tensor> tensors) =>
        tensors.Select(t => $"{t.dtype} [{string.Join(", ", t.shape)}]").ToArray();

    private static string VersionOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "unknown";
}
