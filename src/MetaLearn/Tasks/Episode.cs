namespace MetaLearn.Tasks;

/// <summary>
/// One draw of a task: a support set to adapt on and a query set to score the adaptation.
/// Inputs are a list of tensors, one per modality (single-modality tasks have one); the first dimension of
/// every input and target is the example dimension.
/// </summary>
/// <remarks>
/// The episode owns its tensors: <see cref="Dispose"/> frees them. Tensors are detached from any dispose scope
/// when the episode is built, so an episode may be prepared on a background thread and consumed elsewhere.
/// </remarks>
public sealed class Episode : IDisposable
{
    private bool _disposed;

    /// <summary>Creates a single-modality episode; it takes ownership of the tensors.</summary>
    public Episode(Tensor supportInput, Tensor supportTargets, Tensor queryInput, Tensor queryTargets, EpisodeInfo info)
        : this(new[] { supportInput }, supportTargets, new[] { queryInput }, queryTargets, info)
    {
    }

    /// <summary>Creates an episode with one input tensor per modality; it takes ownership of the tensors.</summary>
    /// <exception cref="ArgumentException">
    /// Modalities differ in count, example counts disagree, class labels lie outside 0..Ways-1, or the tensors are not
    /// all on one device (or are on the meta device, which holds no values).
    /// </exception>
    public Episode(IReadOnlyList<Tensor> supportInputs, Tensor supportTargets, IReadOnlyList<Tensor> queryInputs, Tensor queryTargets, EpisodeInfo info)
    {
        ArgumentNullException.ThrowIfNull(supportInputs);
        ArgumentNullException.ThrowIfNull(supportTargets);
        ArgumentNullException.ThrowIfNull(queryInputs);
        ArgumentNullException.ThrowIfNull(queryTargets);
        ArgumentNullException.ThrowIfNull(info);
        if (supportInputs.Count == 0 || supportInputs.Count != queryInputs.Count)
        {
            throw new ArgumentException(
                $"An episode needs the same, non-zero number of support and query modalities (got {supportInputs.Count} and {queryInputs.Count}).",
                nameof(queryInputs));
        }

        CheckDevices(supportInputs, supportTargets, queryInputs, queryTargets);
        CheckExampleCounts(supportInputs, supportTargets, "support");
        CheckExampleCounts(queryInputs, queryTargets, "query");
        CheckKind(supportTargets, info, "support");
        CheckKind(queryTargets, info, "query");
        CheckLabels(supportTargets, info, "support");
        CheckLabels(queryTargets, info, "query");
        SupportInputs = supportInputs.Select(t => t.DetachFromDisposeScope()).ToArray();
        SupportTargets = supportTargets.DetachFromDisposeScope();
        QueryInputs = queryInputs.Select(t => t.DetachFromDisposeScope()).ToArray();
        QueryTargets = queryTargets.DetachFromDisposeScope();
        Info = info;
    }

    /// <summary>Support inputs, one tensor per modality.</summary>
    public IReadOnlyList<Tensor> SupportInputs { get; }

    /// <summary>Support targets: int64 class labels, regression values or multi-label values, as <see cref="EpisodeInfo.Kind"/> declares.</summary>
    public Tensor SupportTargets { get; }

    /// <summary>Query inputs, one tensor per modality.</summary>
    public IReadOnlyList<Tensor> QueryInputs { get; }

    /// <summary>Query targets: int64 class labels, regression values or multi-label values, as <see cref="EpisodeInfo.Kind"/> declares.</summary>
    public Tensor QueryTargets { get; }

    /// <summary>What the episode is: ways, shots, queries and the seed that made it.</summary>
    public EpisodeInfo Info { get; }

    /// <summary>The single support input (first modality).</summary>
    public Tensor SupportInput => SupportInputs[0];

    /// <summary>The single query input (first modality).</summary>
    public Tensor QueryInput => QueryInputs[0];

    /// <summary>Whether the episode is declared a classification task (<see cref="TaskKind.Classification"/>: int64 class labels).</summary>
    public bool IsClassification => Info.Kind == TaskKind.Classification;

    /// <summary>
    /// Returns a copy on <paramref name="device"/> whose floating-point tensors have <paramref name="dtype"/>;
    /// class-index targets stay int64. The caller owns the new episode; this one is unchanged.
    /// </summary>
    public Episode To(Device device, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        return new Episode(
            SupportInputs.Select(t => Convert(t, device, dtype)).ToArray(),
            Convert(SupportTargets, device, dtype),
            QueryInputs.Select(t => Convert(t, device, dtype)).ToArray(),
            Convert(QueryTargets, device, dtype),
            Info);
    }

    /// <summary>Whether this episode already lives on <paramref name="device"/> with floating tensors of <paramref name="dtype"/>.</summary>
    public bool IsOn(Device device, ScalarType dtype) =>
        SupportInputs.Concat(QueryInputs).Append(SupportTargets).Append(QueryTargets)
            .All(t => IsOnDevice(t, device) && (!is_floating_point(t) || t.dtype == dtype));

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var t in SupportInputs.Concat(QueryInputs))
        {
            t.Dispose();
        }

        SupportTargets.Dispose();
        QueryTargets.Dispose();
    }

    private static Tensor Convert(Tensor t, Device device, ScalarType dtype) =>
        is_floating_point(t) ? t.to(dtype, device) : t.to(device);

    /// <summary>Checks the targets' type (and, for multi-label tasks, width) against the declared kind; metadata only.</summary>
    private static void CheckKind(Tensor targets, EpisodeInfo info, string set)
    {
        switch (info.Kind)
        {
            case TaskKind.Classification when targets.dtype != ScalarType.Int64:
                throw new ArgumentException(targets.is_floating_point()
                    ? $"The {set} targets are {targets.dtype} values but the episode is declared TaskKind.Classification, whose targets are int64 class " +
                      $"labels 0..{info.Ways - 1}. If they are class labels convert them with .to(ScalarType.Int64); if they are regression values, " +
                      "declare the episode with Kind = TaskKind.Regression in its EpisodeInfo."
                    : $"The {set} targets are {targets.dtype} but class labels must be int64 (labels 0..{info.Ways - 1}); convert them with .to(ScalarType.Int64).",
                    nameof(targets));
            case TaskKind.Regression or TaskKind.MultiLabel when !targets.is_floating_point():
                throw new ArgumentException(
                    $"The {set} targets are {targets.dtype} but the episode is declared TaskKind.{info.Kind}, whose targets are floating-point values. " +
                    (targets.dtype == ScalarType.Int64
                        ? "If they are class labels, declare the episode with Kind = TaskKind.Classification; otherwise convert them with .to(ScalarType.Float32)."
                        : "Convert them with .to(ScalarType.Float32)."),
                    nameof(targets));
            case TaskKind.MultiLabel when targets.dim() < 2 || targets.shape[^1] != info.Ways:
                throw new ArgumentException(
                    $"The {set} targets have shape [{string.Join(", ", targets.shape)}] but a multi-label episode with {info.Ways} labels needs [N, {info.Ways}] " +
                    "(one 0/1 value per label and example); set EpisodeInfo.Ways to the number of labels.",
                    nameof(targets));
            case TaskKind.Classification or TaskKind.Regression or TaskKind.MultiLabel:
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(info), info.Kind, "EpisodeInfo.Kind must be TaskKind.Classification, Regression or MultiLabel.");
        }
    }

    private static void CheckLabels(Tensor targets, EpisodeInfo info, string set)
    {
        if (targets.dtype != ScalarType.Int64 || targets.NumberOfElements == 0)
        {
            return;
        }

        using var scope = NewDisposeScope();
        long min = targets.min().ReadInt64();
        long max = targets.max().ReadInt64();
        if (min < 0 || max >= info.Ways)
        {
            throw new ArgumentException(
                $"The {set} labels range over [{min}, {max}] but the episode has {info.Ways} ways; class labels must be 0..{info.Ways - 1} " +
                "(remap them, or set EpisodeInfo.Ways to the number of classes).");
        }
    }

    /// <summary>Whether <paramref name="t"/> lives on <paramref name="device"/> (any index when the device names none).</summary>
    internal static bool IsOnDevice(Tensor t, Device device) =>
        t.device_type == device.type && (device.index < 0 || t.device_index == device.index);

    private static void CheckDevices(IReadOnlyList<Tensor> supportInputs, Tensor supportTargets, IReadOnlyList<Tensor> queryInputs, Tensor queryTargets)
    {
        var named = new List<(string Name, Tensor Tensor)>();
        named.AddRange(supportInputs.Select((t, m) => ($"support input {m}", t)));
        named.Add(("support targets", supportTargets));
        named.AddRange(queryInputs.Select((t, m) => ($"query input {m}", t)));
        named.Add(("query targets", queryTargets));
        var first = named[0];
        var type = first.Tensor.device_type;
        int index = first.Tensor.device_index;
        var other = named.FirstOrDefault(n => n.Tensor.device_type != type || n.Tensor.device_index != index);
        if (other.Tensor is not null)
        {
            throw new ArgumentException(
                $"The episode's tensors are on different devices: {first.Name} is on {first.Tensor.device}, {other.Name} on {other.Tensor.device}. " +
                "Build an episode on one device (move its tensors with .to(device)); training and adaptation move whole episodes to the model's device themselves.");
        }

        if (type == TorchSharp.DeviceType.META)
        {
            throw new ArgumentException(
                "The episode's tensors are on the meta device, which holds shapes but no values: build episodes from data on the CPU or a GPU.");
        }
    }

    private static void CheckExampleCounts(IReadOnlyList<Tensor> inputs, Tensor targets, string set)
    {
        long n = targets.shape.Length == 0 ? -1 : targets.shape[0];
        for (int m = 0; m < inputs.Count; m++)
        {
            if (inputs[m].shape.Length == 0 || inputs[m].shape[0] != n)
            {
                throw new ArgumentException(
                    $"The {set} set has {n} targets but modality {m} has shape [{string.Join(", ", inputs[m].shape)}]; " +
                    "every input's first dimension must equal the number of targets.");
            }
        }
    }
}
