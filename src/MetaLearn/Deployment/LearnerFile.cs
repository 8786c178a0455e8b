using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MetaLearn.Algorithms;

namespace MetaLearn.Deployment;

/// <summary>
/// Saves a meta-trained learner (algorithm and options, model architecture, meta-parameters, learned step sizes) to one
/// file and loads it in another process without rebuilding anything by hand.
/// </summary>
/// <remarks>
/// <para>
/// The file is a safetensors file: an 8-byte little-endian header length, a JSON header, then the raw little-endian
/// tensors (<c>model.&lt;parameter&gt;</c>, <c>step_sizes.&lt;parameter&gt;</c>, <c>buffers.&lt;buffer&gt;</c>, and <c>algorithm.&lt;name&gt;</c> for an algorithm's own meta-parameters such as R2D2's λ, scale and bias), so PyTorch's <c>safetensors</c> reads the
/// weights directly. The header's <c>__metadata__</c> holds <c>format</c> (<c>metalearn-learner</c>),
/// <c>format_version</c>, a JSON <c>manifest</c> (algorithm, options, architecture, tensor names, the application's
/// metadata) and <c>checksum</c>: SHA-256 of the header (with the checksum's hex digits written as zeros) followed by the
/// data. The checksum rule and the position of <c>format</c> and <c>format_version</c> are fixed across format versions.
/// </para>
/// <para>
/// Writing goes to a temporary file beside the target, flushed to disk and then renamed over it, so a crash never leaves
/// a half-written learner. Loading checks the whole file before building anything.
/// </para>
/// </remarks>
public static class LearnerFile
{
    /// <summary>The format version this MetaLearn writes and the newest it reads.</summary>
    public const int FormatVersion = 1;

    private const string Format = "metalearn-learner";
    private const string ChecksumPrefix = "sha256:";
    private static readonly string Placeholder = ChecksumPrefix + new string('0', 64);
    private static readonly byte[] HeaderPrefix = Encoding.UTF8.GetBytes($"{{\"__metadata__\":{{\"format\":\"{Format}\",\"format_version\":\"");
    private static readonly byte[] ChecksumKey = Encoding.UTF8.GetBytes($"\"checksum\":\"{ChecksumPrefix}");

    /// <summary>Saves <paramref name="algorithm"/> and its model to <paramref name="path"/> (atomically).</summary>
    /// <param name="algorithm">A meta-trained algorithm (any of <see cref="MetaAlgorithms.Names"/>).</param>
    /// <param name="path">The file to write; replaced if it exists.</param>
    /// <param name="metadata">The application's own strings to keep with the learner (e.g. class names); null for none.</param>
    /// <param name="architecture">
    /// The model's architecture; null finds it from the model's type (<c>mlp</c>, <c>conv4</c>, registered kinds). A model
    /// converted from a TorchSharp module needs <see cref="ModelArchitectures.Module"/>.
    /// </param>
    /// <exception cref="NotSupportedException">The algorithm or the model's type cannot be described (see <see cref="ModelArchitectures.Register{TModel}"/>).</exception>
    public static void Save(IMetaAlgorithm algorithm, string path, IReadOnlyDictionary<string, string>? metadata = null, ModelArchitecture? architecture = null)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var model = algorithm.Model;
        architecture ??= ModelArchitecture.Of(model);
        var (bufferNames, buffers) = Buffers(model);
        var settings = AlgorithmSettings.Describe(algorithm);
        var stepSizes = AlgorithmSettings.StepSizes(algorithm);
        var entries = new List<SafeTensors.Entry>();
        for (int i = 0; i < model.Parameters.Count; i++)
        {
            entries.Add(SafeTensors.FromTensor($"model.{model.ParameterNames[i]}", model.Parameters[i]));
        }

        for (int i = 0; i < stepSizes.Count; i++)
        {
            entries.Add(SafeTensors.FromTensor($"step_sizes.{model.ParameterNames[i]}", stepSizes[i]));
        }

        for (int i = 0; i < buffers.Count; i++)
        {
            entries.Add(SafeTensors.FromTensor($"buffers.{bufferNames[i]}", buffers[i]));
        }

        var own = AlgorithmSettings.OwnParameters(algorithm);
        foreach (var (name, value) in own)
        {
            entries.Add(SafeTensors.FromTensor($"algorithm.{name}", value));
        }

        var manifest = new JsonObject
        {
            ["algorithm"] = settings,
            ["model"] = new JsonObject { ["kind"] = architecture.Kind, ["options"] = architecture.Options.DeepClone() },
            ["parameters"] = new JsonArray(model.ParameterNames.Select(n => (JsonNode)n).ToArray()),
            ["stepSizes"] = stepSizes.Count,
            ["buffers"] = new JsonArray(bufferNames.Select(n => (JsonNode)n).ToArray()),
            ["algorithmParameters"] = new JsonArray(own.Select(p => (JsonNode)p.Name).ToArray()),
            ["metadata"] = new JsonObject((metadata ?? new Dictionary<string, string>()).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["library"] = typeof(LearnerFile).Assembly.GetName().Version?.ToString() ?? "unknown",
        };
        var header = SafeTensors.Header(
            new[]
            {
                KeyValuePair.Create("format", Format),
                KeyValuePair.Create("format_version", FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                KeyValuePair.Create("checksum", Placeholder),
                KeyValuePair.Create("manifest", manifest.ToJsonString()),
            },
            entries);
        byte[] headerBytes = SafeTensors.Serialize(header);
        byte[] data = entries.SelectMany(e => e.Data).ToArray();
        WriteChecksum(headerBytes, Checksum(headerBytes, data));
        WriteAtomically(path, headerBytes, data);
    }

    /// <summary>Loads a learner saved by <see cref="Save"/>; the model lives on the CPU.</summary>
    /// <param name="path">The learner file.</param>
    /// <param name="limits">How large a file and model may be (checked before anything is allocated from the file); null for <see cref="InputLimits.Default"/>.</param>
    /// <returns>The rebuilt learner, which the caller disposes.</returns>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="LearnerFileException">
    /// The file is truncated, corrupted, not a learner file, from a newer format version, or names an algorithm or model
    /// kind this process does not know, or is larger than <paramref name="limits"/> allow; <see cref="LearnerFileException.Problem"/>
    /// says which. Nothing is built then.
    /// </exception>
    public static Learner Load(string path, InputLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No learner file at '{path}'.", path);
        }

        limits ??= InputLimits.Default;
        var (version, manifest, entries) = Read(LearnerBudget.ReadFile(path, limits), path);
        return Build(path, version, manifest, entries, limits);
    }

    private static (int Version, JsonObject Manifest, List<SafeTensors.Entry> Entries) Read(byte[] bytes, string path)
    {
        LearnerFileException Problem(LearnerFileProblem problem, string what, Exception? inner = null) => new(problem, problem switch
        {
            LearnerFileProblem.Truncated => $"'{path}' is truncated ({bytes.Length} bytes): {what}. Copy or save the learner again.",
            LearnerFileProblem.Corrupted => $"'{path}' is corrupted: {what}. Copy or save the learner again.",
            LearnerFileProblem.Foreign => $"'{path}' is not a MetaLearn learner file: {what}.",
            _ => $"'{path}': {what}.",
        }, inner);

        // 1. The fixed prefix: the header length, then {"__metadata__":{"format":"metalearn-learner","format_version":"
        int available = Math.Min(bytes.Length - 8, HeaderPrefix.Length);
        int differing = available <= 0 ? 0 : Enumerable.Range(0, available).Count(i => bytes[8 + i] != HeaderPrefix[i]);
        if (differing > 1)
        {
            throw Problem(LearnerFileProblem.Foreign, "it does not start with a safetensors header holding MetaLearn's manifest");
        }

        if (bytes.Length < 8 + HeaderPrefix.Length)
        {
            throw Problem(LearnerFileProblem.Truncated, "it ends inside the header");
        }

        if (differing == 1)
        {
            throw Problem(LearnerFileProblem.Corrupted, "a byte of the header's fixed start differs");
        }

        // 2. The header: exactly the length the first 8 bytes state, and one JSON object.
        ulong claimed = SafeTensors.ReadLength(bytes);
        long rest = bytes.Length - 8L;
        JsonObject? header;
        int consumed;
        try
        {
            (header, consumed) = SafeTensors.TryParse(bytes.AsSpan(8, (int)Math.Min((ulong)rest, claimed)));
        }
        catch (JsonException e)
        {
            throw Problem(LearnerFileProblem.Corrupted, "the header is not valid JSON", e);
        }

        if (header is null)
        {
            throw claimed > (ulong)rest
                ? Problem(LearnerFileProblem.Truncated, "it ends inside the header")
                : Problem(LearnerFileProblem.Corrupted, $"the header length field ({claimed}) cuts the header short");
        }

        if ((ulong)consumed != claimed)
        {
            throw Problem(LearnerFileProblem.Corrupted, $"the header length field says {claimed} bytes but the header has {consumed}");
        }

        // 3. The data: exactly as long as the header's offsets say.
        long dataLength;
        Dictionary<string, string> meta;
        try
        {
            dataLength = SafeTensors.DataLength(header);
            meta = header["__metadata__"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException or JsonException or ArgumentException or InvalidDataException)
        {
            throw Problem(LearnerFileProblem.Corrupted, "the header's entries are malformed", e);
        }

        long present = rest - consumed;
        if (present < dataLength)
        {
            throw Problem(LearnerFileProblem.Truncated, $"the header describes {dataLength} bytes of tensor data but only {present} follow");
        }

        if (present > dataLength)
        {
            throw Problem(LearnerFileProblem.Corrupted, $"{present - dataLength} unexpected byte(s) follow the tensor data");
        }

        // 4. The checksum over the header (hex digits zeroed) and the data.
        int key = bytes.AsSpan(8, consumed).IndexOf(ChecksumKey);
        if (key < 0 || !meta.TryGetValue("checksum", out string? stored) || stored.Length != Placeholder.Length)
        {
            throw Problem(LearnerFileProblem.Corrupted, "the checksum is missing");
        }

        byte[] headerCopy = bytes.AsSpan(8, consumed).ToArray();
        headerCopy.AsSpan(key + ChecksumKey.Length, 64).Fill((byte)'0');
        string actual = Checksum(headerCopy, bytes.AsSpan(8 + consumed));
        if (!string.Equals(actual, stored[ChecksumPrefix.Length..], StringComparison.Ordinal))
        {
            throw Problem(LearnerFileProblem.Corrupted, "the SHA-256 checksum does not match its contents");
        }

        // 5. The version, then the manifest and tensors.
        if (!int.TryParse(meta.GetValueOrDefault("format_version"), out int version) || version < 1)
        {
            throw Problem(LearnerFileProblem.Corrupted, "the format version is not a positive number");
        }

        if (version > FormatVersion)
        {
            throw new LearnerFileException(LearnerFileProblem.NewerVersion,
                $"'{path}' was written by a newer MetaLearn (learner format version {version}); this MetaLearn reads versions up to {FormatVersion}. Update the MetaLearn package to load it.");
        }

        try
        {
            var manifest = JsonNode.Parse(meta["manifest"])!.AsObject();
            return (version, manifest, SafeTensors.Entries(header, bytes.AsSpan(8 + consumed)));
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or KeyNotFoundException or JsonException or InvalidDataException)
        {
            throw Problem(LearnerFileProblem.Corrupted, "the manifest or a tensor entry is malformed", e);
        }
    }

    private static Learner Build(string path, int version, JsonObject manifest, List<SafeTensors.Entry> entries, InputLimits limits)
    {
        IFunctionalModel? model = null;
        IMetaAlgorithm? algorithm = null;
        try
        {
            var architecture = new ModelArchitecture(manifest["model"]!["kind"]!.GetValue<string>(), manifest["model"]!["options"]!.AsObject());
            LearnerBudget.CheckModel(path, architecture, manifest, entries, limits);
            model = architecture.Build();
            algorithm = AlgorithmSettings.Build(manifest["algorithm"]!.AsObject(), model);
            var byName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
            Restore(model.Parameters, model.ParameterNames, "model.", byName, path);
            var stepSizes = AlgorithmSettings.StepSizes(algorithm);
            if (stepSizes.Count != manifest["stepSizes"]!.GetValue<int>())
            {
                throw new LearnerFileException(LearnerFileProblem.Corrupted, $"'{path}': the manifest lists {manifest["stepSizes"]} step sizes but the algorithm has {stepSizes.Count}.");
            }

            Restore(stepSizes, model.ParameterNames.Take(stepSizes.Count).ToArray(), "step_sizes.", byName, path);
            var (bufferNames, buffers) = Buffers(model);
            Restore(buffers, bufferNames, "buffers.", byName, path);
            var own = AlgorithmSettings.OwnParameters(algorithm);
            Restore(own.Select(p => (Tensor)p.Value).ToArray(), own.Select(p => p.Name).ToArray(), "algorithm.", byName, path);
            var metadata = manifest["metadata"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal);
            return Learner.Of(algorithm, model, architecture, metadata, version);
        }
        catch (Exception e)
        {
            algorithm?.Dispose();
            model?.Dispose();
            throw e switch
            {
                LearnerFileException => e,
                NotSupportedException => new LearnerFileException(LearnerFileProblem.Unsupported, $"'{path}' cannot be loaded here: {e.Message}", e),
                _ => new LearnerFileException(LearnerFileProblem.Corrupted, $"'{path}' does not describe a model that can be rebuilt: {e.Message}", e),
            };
        }
    }

    /// <summary>The model's buffers (running statistics of converted modules), none for models without.</summary>
    private static (IReadOnlyList<string> Names, IReadOnlyList<Tensor> Buffers) Buffers(IFunctionalModel model) => (model.BufferNames, model.Buffers);

    private static void Restore(IReadOnlyList<Tensor> targets, IReadOnlyList<string> names, string prefix, Dictionary<string, SafeTensors.Entry> entries, string path)
    {
        using var noGrad = no_grad();
        for (int i = 0; i < targets.Count; i++)
        {
            string name = prefix + names[i];
            if (!entries.TryGetValue(name, out var entry))
            {
                throw new LearnerFileException(LearnerFileProblem.Corrupted, $"'{path}' lacks the tensor '{name}' its architecture needs.");
            }

            if (!entry.Shape.SequenceEqual(targets[i].shape))
            {
                throw new LearnerFileException(LearnerFileProblem.Corrupted,
                    $"'{path}': tensor '{name}' has shape [{string.Join(", ", entry.Shape)}] but the architecture needs [{string.Join(", ", targets[i].shape)}].");
            }

            using var value = SafeTensors.ToTensor(entry);
            targets[i].copy_(value);
        }
    }

    internal static string Checksum(ReadOnlySpan<byte> header, ReadOnlySpan<byte> data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(header);
        hash.AppendData(data);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    internal static void WriteChecksum(byte[] header, string hex)
    {
        int key = header.AsSpan().IndexOf(ChecksumKey);
        Encoding.ASCII.GetBytes(hex).CopyTo(header, key + ChecksumKey.Length);
    }

    private static void WriteAtomically(string path, byte[] header, byte[] data)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                Span<byte> length = stackalloc byte[8];
                SafeTensors.WriteLength(length, header.Length);
                stream.Write(length);
                stream.Write(header);
                stream.Write(data);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
