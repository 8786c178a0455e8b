using System.Text;
using System.Text.Json.Nodes;
using MetaLearn.Deployment;

namespace MetaLearn.Tests.Deployment;

/// <summary>
/// Rewrites a learner file as a buggy or future writer would: the manifest and the tensor list can be changed, and the
/// file gets a fresh, valid checksum, so the loader sees an intact file that differs only by the edit.
/// </summary>
internal static class LearnerFileEditor
{
    public static void Edit(string path, Action<JsonObject, List<SafeTensors.Entry>> edit)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int length = (int)BitConverter.ToInt64(bytes, 0);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, length))!.AsObject();
        var meta = header["__metadata__"]!.AsObject();
        var manifest = JsonNode.Parse(meta["manifest"]!.GetValue<string>())!.AsObject();
        var entries = SafeTensors.Entries(header, bytes.AsSpan(8 + length));

        edit(manifest, entries);

        var metadata = new[]
        {
            KeyValuePair.Create("format", meta["format"]!.GetValue<string>()),
            KeyValuePair.Create("format_version", meta["format_version"]!.GetValue<string>()),
            KeyValuePair.Create("checksum", "sha256:" + new string('0', 64)),
            KeyValuePair.Create("manifest", manifest.ToJsonString()),
        };
        byte[] headerBytes = SafeTensors.Serialize(SafeTensors.Header(metadata, entries));
        byte[] data = entries.SelectMany(e => e.Data).ToArray();
        LearnerFile.WriteChecksum(headerBytes, LearnerFile.Checksum(headerBytes, data));
        File.WriteAllBytes(path, BitConverter.GetBytes((long)headerBytes.Length).Concat(headerBytes).Concat(data).ToArray());
    }

    /// <summary>The manifest of a learner file.</summary>
    public static JsonObject Manifest(string path)
    {
        JsonObject? result = null;
        byte[] before = File.ReadAllBytes(path);
        Edit(path, (manifest, _) => result = (JsonObject)manifest.DeepClone());
        File.WriteAllBytes(path, before);
        return result!;
    }
}
