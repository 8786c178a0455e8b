using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MetaLearn.Algorithms;

namespace MetaLearn.Deployment;

/// <summary>
/// Saves a meta-trained learner (algorithm and every option, model architecture and every option, meta-parameters,
/// learned step sizes, buffers, generator states) to one file and loads it in another process without rebuilding
/// anything by hand.
/// </summary>
/// <remarks>
/// <para>
/// The file is a safetensors file: an 8-byte little-endian header length, a JSON header, then the raw little-endian
/// tensors (<c>model.&lt;parameter&gt;</c>, <c>step_sizes.&lt;parameter&gt;</c>,
/// <c>buffers.&lt;buffer&gt;</c>, <c>generators.&lt;generator&gt;</c>, and <c>algorithm.&lt;name&gt;</c> for an
/// algorithm's own meta-parameters such as R2D2's λ, scale and bias), so PyTorch's <c>safetensors</c> reads the weights
/// directly. The header's <c>__metadata__</c> holds <c>format</c> (<c>metalearn-learner</c>), <c>format_version</c>, a
/// JSON <c>manifest</c> and <c>checksum</c>: SHA-256 of the header (with the checksum's hex digits written as zeros)
/// followed by the data. The checksum rule and the position of <c>format</c> and <c>format_version</c> are fixed across
/// format versions. The manifest holds <c>algorithm</c> (<c>name</c> and every option of its options record),
/// <c>model</c> (<c>kind</c> and every option, see <see cref="ModelArchitecture"/>), the application's <c>metadata</c>
/// and the writing <c>library</c>'s version; all of it is culture-invariant JSON (numbers as JSON numbers, enums and
/// losses by name).
/// </para>
/// <para>
/// Writing goes to a temporary file beside the target, flushed to disk and then renamed over it, so a crash never leaves
/// a half-written learner. Loading checks the whole file before building anything, and is strict: a setting it does not
/// know, a missing setting, a missing tensor, a tensor the described learner does not have, or one of another shape or
/// type is refused with a <see cref="LearnerFileException"/> naming them.
/// </para>
/// <para>
/// Format version 1 files still load where they are unambiguous: their options are read with the values of the options
/// they did not record that were the only behaviour when they were written (Reptile's interpolation with ε = 1, the
/// by-task-kind loss), a Conv4 kept running statistics exactly when the file holds them, loss names written with a
/// decimal comma are read, and the model's generators start from their seeds (version 1 did not save their states).
/// The inner update rule of MAML, first-order MAML, Meta-SGD and ANIL was not recorded and cannot be inferred: such
/// files load only when <c>Load</c>'s <c>version1UpdateRule</c> states it.
/// </para>
/// </remarks>
public static partial class LearnerFile
{
    /// <summary>
    /// The format version this MetaLearn writes and the newest it reads: 2 (every option, generator states, strict
    /// loading); version 1 is read as the remarks say.
    /// </summary>
    public const int FormatVersion = 2;

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
    /// converted from a TorchSharp module needs <see cref="ModelArchitecture.Module"/>.
    /// </param>
    /// <exception cref="NotSupportedException">The algorithm or the model's type cannot be described (see <see cref="ModelArchitecture.Register{TModel}"/>).</exception>
    public static void Save(IMetaAlgorithm algorithm, string path, IReadOnlyDictionary<string, string>? metadata = null, ModelArchitecture? architecture = null)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var model = algorithm.Model;
        architecture = architecture is null ? ModelArchitecture.Of(model) : ModelArchitecture.Complete(architecture, model);
        var manifest = new JsonObject
        {
            ["algorithm"] = AlgorithmSettings.Describe(algorithm),
            ["model"] = architecture.ToJson(),
            ["metadata"] = new JsonObject((metadata ?? new Dictionary<string, string>()).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["library"] = typeof(LearnerFile).Assembly.GetName().Version?.ToString() ?? "unknown",
        };
        List<SafeTensors.Entry> entries;
        using (var tensors = new LearnerTensors(algorithm))
        {
            entries = tensors.Entries.Select(e => SafeTensors.FromTensor(e.Name, e.Value)).ToList();
        }

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
    /// <param name="version1UpdateRule">
    /// The inner update rule of a MAML, first-order MAML, Meta-SGD or ANIL learner in a format-version-1 file, which did
    /// not record it (the rule's constants are taken as their defaults: momentum 0.9; Adam 0.9, 0.999, 1e-8); null
    /// refuses such a file (<see cref="LearnerFileProblem.Ambiguous"/>). Files of later versions record the rule and
    /// ignore this.
    /// </param>
    /// <returns>The rebuilt learner, which the caller disposes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version1UpdateRule"/> is not a defined rule.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="LearnerFileException">
    /// The file is truncated, corrupted, not a learner file, from a newer format version, names an algorithm, model kind,
    /// loss or setting this process does not know, lacks a setting, holds other tensors than the learner it describes
    /// has, is larger than <paramref name="limits"/> allow, or is a version-1 file that needs
    /// <paramref name="version1UpdateRule"/>; <see cref="LearnerFileException.Problem"/> says which and the message names
    /// what. Nothing is built then.
    /// </exception>
    public static Learner Load(string path, InputLimits? limits = null, InnerUpdateRule? version1UpdateRule = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        OptionChecks.Valid(version1UpdateRule, version1UpdateRule is null || Enum.IsDefined(version1UpdateRule.Value), nameof(version1UpdateRule), "Use InnerUpdateRule.Sgd, Momentum or Adam, or null to refuse version-1 files that do not say.");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No learner file at '{path}'.", path);
        }

        limits ??= InputLimits.Default;
        var (version, manifest, entries) = Read(LearnerBudget.ReadFile(path, limits), path);
        return Build(path, version, manifest, entries, version1UpdateRule, limits);
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
        if (!int.TryParse(meta.GetValueOrDefault("format_version"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int version) || version < 1)
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
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or KeyNotFoundException or JsonException or InvalidDataException or ArgumentException)
        {
            throw Problem(LearnerFileProblem.Corrupted, "the manifest or a tensor entry is malformed", e);
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

    private static void WriteAtomically(string path, byte[] header, byte[] data) => AtomicFile.Write(path, stream =>
    {
        Span<byte> length = stackalloc byte[8];
        SafeTensors.WriteLength(length, header.Length);
        stream.Write(length);
        stream.Write(header);
        stream.Write(data);
    });
}
