using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using MetaLearn.Algorithms;

namespace MetaLearn.Deployment;

/// <summary>
/// Writes an options record (<see cref="InnerLoopOptions"/>, <see cref="ReptileOptions"/>, <see cref="MlpOptions"/>, ...)
/// as a JSON object with one key per public settable property, and reads it back strictly: every property must be
/// present, every key must be a property, and the record's own validation runs on each value. Taking the properties
/// from the type means an option added to a record is written without anyone remembering to; reading a file that
/// lacks it is refused, so whoever adds an option that changes predictions also bumps
/// <see cref="LearnerFile.FormatVersion"/> and says what older files meant. Keys are the property names in camel case
/// (<c>DType</c> is <c>dtype</c>); enums are written by name; numbers are JSON numbers, so no culture is involved.
/// <see cref="Device"/> properties are not written: a loaded model lives on the CPU.
/// </summary>
internal static class OptionsJson
{
    /// <exception cref="NotSupportedException">A property's type or value cannot be written (a custom loss, a non-finite number).</exception>
    public static JsonObject Write(object options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new JsonObject();
        foreach (var property in Settable(options.GetType()))
        {
            result[Key(property)] = Value(property, property.GetValue(options));
        }

        return result;
    }

    /// <summary>A new <typeparamref name="T"/> with every property read from <paramref name="o"/>, which must hold nothing else.</summary>
    /// <exception cref="SettingsException">A property is missing, of the wrong type or invalid, or <paramref name="o"/> holds an unknown key.</exception>
    public static T Read<T>(ManifestObject o)
        where T : class, new()
    {
        var result = new T();
        foreach (var property in Settable(typeof(T)))
        {
            string key = Key(property);
            object? value = Read(o, key, property.PropertyType, o.Optional(key) ?? (Nullable.GetUnderlyingType(property.PropertyType) is null ? o.Required(key) : null));
            try
            {
                property.SetValue(result, value);
            }
            catch (TargetInvocationException e) when (e.InnerException is ArgumentException inner)
            {
                throw o.Invalid(key, $"is {Text(value)}, which {typeof(T).Name} refuses: {inner.Message}", inner);
            }
        }

        o.End();
        return result;
    }

    /// <summary>The keys <see cref="Write"/> gives the options of type <paramref name="type"/>.</summary>
    public static IEnumerable<string> Keys(Type type) => Settable(type).Select(Key);

    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0 && p.PropertyType != typeof(Device))
            .OrderBy(p => p.Name, StringComparer.Ordinal);

    private static string Key(PropertyInfo property) =>
        property.Name == "DType" ? "dtype" : char.ToLowerInvariant(property.Name[0]) + property.Name[1..];

    private static JsonNode? Value(PropertyInfo property, object? value)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return value switch
        {
            null => null,
            int i => i,
            long l => l,
            bool b => b,
            double d when double.IsFinite(d) => d,
            Enum e when Enum.IsDefined(type, e) => e.ToString(),
            Loss loss => LossJson.Write(loss),
            IReadOnlyList<int> list => new JsonArray(list.Select(v => (JsonNode)v).ToArray()),
            _ => throw new NotSupportedException(
                $"{property.DeclaringType?.Name}.{property.Name} = {Text(value)} ({property.PropertyType.Name}) cannot be written to a learner file."),
        };
    }

    private static object? Read(ManifestObject o, string key, Type propertyType, JsonNode? node)
    {
        var type = Nullable.GetUnderlyingType(propertyType) ?? propertyType;
        if (node is null)
        {
            return null;
        }

        if (type == typeof(int))
        {
            return o.Int(key);
        }

        if (type == typeof(long))
        {
            return node is JsonValue v && v.TryGetValue(out long l) ? l : throw o.Invalid(key, $"is {node.ToJsonString()}, not an integer");
        }

        if (type == typeof(bool))
        {
            return o.Bool(key);
        }

        if (type == typeof(double))
        {
            return o.Double(key);
        }

        if (type.IsEnum)
        {
            return o.EnumValue(type, key, node);
        }

        if (type == typeof(Loss))
        {
            return LossJson.Read(o.Object(key));
        }

        if (type == typeof(IReadOnlyList<int>))
        {
            var array = node as JsonArray ?? throw o.Invalid(key, "is not a JSON array");
            return array.Select(n => n is JsonValue v && v.TryGetValue(out int i) ? i : throw o.Invalid(key, $"holds {n?.ToJsonString() ?? "null"}, not an integer")).ToArray();
        }

        throw new NotSupportedException($"Options of type {propertyType.Name} ('{o.Path(key)}') cannot be read from a learner file.");
    }

    private static string Text(object? value) => value switch
    {
        null => "null",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IReadOnlyList<int> list => $"[{string.Join(", ", list)}]",
        _ => value.ToString() ?? string.Empty,
    };
}
