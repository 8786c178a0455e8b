using System.Text.Json.Nodes;

namespace MetaLearn.Deployment;

/// <summary>
/// Reads one JSON object of a learner file's manifest strictly: every value read is checked for its type, a missing
/// value is named, and <see cref="End"/> refuses keys that nothing read (settings this MetaLearn does not know).
/// </summary>
internal sealed class ManifestObject
{
    private readonly JsonObject _object;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    /// <param name="value">The object.</param>
    /// <param name="where">Its path in the manifest, for messages (e.g. <c>algorithm.options</c>).</param>
    public ManifestObject(JsonObject value, string where)
    {
        _object = value;
        Where = where;
    }

    /// <summary>The object's path in the manifest.</summary>
    public string Where { get; }

    /// <summary>Whether the object has <paramref name="key"/> (it then counts as read).</summary>
    public bool Has(string key)
    {
        _read.Add(key);
        return _object.ContainsKey(key);
    }

    /// <summary>The value of <paramref name="key"/>, null when absent or JSON null (either way the key counts as read).</summary>
    public JsonNode? Optional(string key)
    {
        _read.Add(key);
        return _object[key];
    }

    /// <summary>Every key and value (all count as read).</summary>
    public IReadOnlyList<(string Key, JsonNode? Value)> Entries()
    {
        var entries = _object.Select(p => (p.Key, p.Value)).ToArray();
        _read.UnionWith(entries.Select(e => e.Key));
        return entries;
    }

    /// <summary>The value of <paramref name="key"/>.</summary>
    /// <exception cref="SettingsException">The key is missing.</exception>
    public JsonNode Required(string key) =>
        Optional(key) ?? throw new SettingsException(LearnerFileProblem.Corrupted, $"the manifest lacks the setting '{Path(key)}'");

    /// <summary>The object at <paramref name="key"/>, read strictly in turn.</summary>
    public ManifestObject Object(string key) => new(Required(key) as JsonObject ?? throw Invalid(key, "is not a JSON object"), Path(key));

    public string String(string key) => Value<string>(key, "a string");

    public int Int(string key) => Value<int>(key, "an integer");

    public bool Bool(string key) => Value<bool>(key, "true or false");

    public double Double(string key) => Value<double>(key, "a number");

    /// <summary>The enum value named by the string at <paramref name="key"/> (a name exactly, never a number).</summary>
    public TEnum Enum<TEnum>(string key)
        where TEnum : struct, Enum => (TEnum)EnumValue(typeof(TEnum), key, Required(key));

    /// <summary>The enum value of <paramref name="type"/> that <paramref name="node"/> names.</summary>
    public object EnumValue(Type type, string key, JsonNode node)
    {
        string name = node is JsonValue v && v.TryGetValue(out string? s) ? s : throw Invalid(key, $"is not a name of {type.Name}");
        return System.Enum.GetNames(type).Contains(name, StringComparer.Ordinal)
            ? System.Enum.Parse(type, name)
            : throw new SettingsException(LearnerFileProblem.Unsupported,
                $"the setting '{Path(key)}' is '{name}', which this MetaLearn does not know ({string.Join(", ", System.Enum.GetNames(type))} are)");
    }

    /// <summary>Refuses the keys nothing has read: settings this MetaLearn does not know.</summary>
    /// <exception cref="SettingsException">Some keys were not read (<see cref="LearnerFileProblem.Unsupported"/>).</exception>
    public void End()
    {
        var unknown = _object.Select(p => p.Key).Where(k => !_read.Contains(k)).ToArray();
        if (unknown.Length > 0)
        {
            throw new SettingsException(LearnerFileProblem.Unsupported,
                $"it holds settings this MetaLearn does not know ({string.Join(", ", unknown.Select(Path))}); it was written by another MetaLearn version: " +
                "load it with that version, or update MetaLearn");
        }
    }

    /// <summary>The path of <paramref name="key"/> in the manifest.</summary>
    public string Path(string key) => $"{Where}.{key}";

    /// <summary>An error saying the value at <paramref name="key"/> is not what it should be.</summary>
    public SettingsException Invalid(string key, string what, Exception? inner = null) =>
        new(LearnerFileProblem.Corrupted, $"the setting '{Path(key)}' {what}", inner);

    private T Value<T>(string key, string what)
    {
        var node = Required(key);
        try
        {
            return node is JsonValue value && value.TryGetValue(out T? result) && result is not null
                ? result
                : throw Invalid(key, $"is {node.ToJsonString()}, not {what}");
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException)
        {
            throw Invalid(key, $"is {node.ToJsonString()}, not {what}", e);
        }
    }
}
