using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MetaLearn.Deployment;

/// <summary>
/// The safetensors layout (8-byte little-endian header length, a JSON header with each tensor's dtype, shape and
/// data_offsets, then the raw little-endian data), written and read here so that the learner file is a plain
/// safetensors file PyTorch's <c>safetensors</c> package can open.
/// </summary>
internal static class SafeTensors
{
    /// <summary>One tensor's entry: name, dtype code, shape and its bytes.</summary>
    public sealed record Entry(string Name, string DType, long[] Shape, byte[] Data);

    public static Entry FromTensor(string name, Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var cpu = tensor.detach().cpu().contiguous();
        var (code, size) = Code(cpu.dtype);
        var bytes = new byte[cpu.numel() * size];
        cpu.bytes.CopyTo(bytes);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Learner files are written on little-endian machines only.");
        }

        return new Entry(name, code, cpu.shape, bytes);
    }

    /// <summary>The TorchSharp dtype of <paramref name="entry"/>.</summary>
    public static ScalarType DTypeOf(Entry entry) => DType(entry.DType);

    public static Tensor ToTensor(Entry entry)
    {
        var dtype = DType(entry.DType);
        var result = empty(entry.Shape, dtype);
        result.bytes = entry.Data;
        return result;
    }

    /// <summary>The header object: metadata first (as given, in order), then the tensors in order.</summary>
    public static JsonObject Header(IReadOnlyList<KeyValuePair<string, string>> metadata, IReadOnlyList<Entry> entries)
    {
        var meta = new JsonObject();
        foreach (var (key, value) in metadata)
        {
            meta[key] = value;
        }

        var header = new JsonObject { ["__metadata__"] = meta };
        long offset = 0;
        foreach (var e in entries)
        {
            header[e.Name] = new JsonObject
            {
                ["dtype"] = e.DType,
                ["shape"] = new JsonArray(e.Shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + e.Data.Length),
            };
            offset += e.Data.Length;
        }

        return header;
    }

    public static byte[] Serialize(JsonObject header) => Encoding.UTF8.GetBytes(header.ToJsonString());

    public static void WriteLength(Span<byte> destination, long length) => BinaryPrimitives.WriteUInt64LittleEndian(destination, (ulong)length);

    public static ulong ReadLength(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt64LittleEndian(source);

    /// <summary>The tensors a parsed header describes, sliced from <paramref name="data"/>.</summary>
    /// <exception cref="InvalidDataException">An entry is malformed or its offsets do not fit.</exception>
    public static List<Entry> Entries(JsonObject header, ReadOnlySpan<byte> data)
    {
        var result = new List<Entry>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                continue;
            }

            var o = node as JsonObject ?? throw new InvalidDataException($"tensor '{name}' has no description");
            string dtype = o["dtype"]!.GetValue<string>();
            long[] shape = o["shape"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
            var offsets = o["data_offsets"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
            long count = shape.Aggregate(1L, (a, b) => a * b);
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] > data.Length || offsets[1] - offsets[0] != count * Code(DType(dtype)).Size)
            {
                throw new InvalidDataException($"tensor '{name}' has data offsets that do not fit its shape or the file");
            }

            result.Add(new Entry(name, dtype, shape, data[(int)offsets[0]..(int)offsets[1]].ToArray()));
        }

        return result;
    }

    /// <summary>
    /// How many data bytes follow the header: checks that every entry's byte count fits its dtype and shape and that the
    /// entries tile the data without gaps or overlaps.
    /// </summary>
    /// <exception cref="InvalidDataException">An entry is malformed or the entries do not tile the data.</exception>
    public static long DataLength(JsonObject header)
    {
        var spans = new List<(long Start, long End)>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                continue;
            }

            var o = node as JsonObject ?? throw new InvalidDataException($"tensor '{name}' has no description");
            long count = o["shape"]!.AsArray().Select(s => s!.GetValue<long>()).Aggregate(1L, (a, b) => a * b);
            var offsets = o["data_offsets"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
            if (offsets.Length != 2 || offsets[1] - offsets[0] != count * Code(DType(o["dtype"]!.GetValue<string>())).Size)
            {
                throw new InvalidDataException($"tensor '{name}' has data offsets that do not fit its shape");
            }

            spans.Add((offsets[0], offsets[1]));
        }

        long end = 0;
        foreach (var (start, stop) in spans.OrderBy(s => s.Start))
        {
            if (start != end)
            {
                throw new InvalidDataException("the tensors' data offsets leave gaps or overlap");
            }

            end = stop;
        }

        return end;
    }

    private static (string Code, int Size) Code(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => ("F32", 4),
        ScalarType.Float64 => ("F64", 8),
        ScalarType.Float16 => ("F16", 2),
        ScalarType.BFloat16 => ("BF16", 2),
        ScalarType.Int64 => ("I64", 8),
        ScalarType.Int32 => ("I32", 4),
        ScalarType.Int16 => ("I16", 2),
        ScalarType.Int8 => ("I8", 1),
        ScalarType.Byte => ("U8", 1),
        ScalarType.Bool => ("BOOL", 1),
        _ => throw new NotSupportedException($"Tensors of type {dtype} cannot be stored in a learner file."),
    };

    private static ScalarType DType(string code) => code switch
    {
        "F32" => ScalarType.Float32,
        "F64" => ScalarType.Float64,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => throw new InvalidDataException($"unknown tensor dtype '{code}'"),
    };

    /// <summary>Parses a JSON object from UTF-8 bytes; null when the bytes end before the object does.</summary>
    /// <exception cref="JsonException">The bytes are not JSON.</exception>
    public static (JsonObject? Header, int Consumed) TryParse(ReadOnlySpan<byte> bytes)
    {
        var reader = new Utf8JsonReader(bytes, isFinalBlock: false, default);
        if (!JsonDocument.TryParseValue(ref reader, out var document))
        {
            return (null, 0);
        }

        using (document)
        {
            // Invalid UTF-8 inside a string surfaces here as InvalidOperationException; report it as malformed JSON.
            JsonObject node;
            try
            {
                node = JsonNode.Parse(document.RootElement.GetRawText()) as JsonObject ?? throw new JsonException("the header is not a JSON object");
            }
            catch (InvalidOperationException e)
            {
                throw new JsonException("the header is not valid UTF-8 JSON", e);
            }

            return (node, (int)reader.BytesConsumed);
        }
    }
}
