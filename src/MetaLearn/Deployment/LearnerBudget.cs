using System.Text.Json.Nodes;

namespace MetaLearn.Deployment;

/// <summary>
/// What a learner file may make the loader allocate (<see cref="InputLimits"/>), checked before anything is allocated
/// from it: the file's length before it is read, the model its manifest describes before the model is built.
/// </summary>
internal static class LearnerBudget
{
    private const string Usage = "pass LearnerFile.Load(path, limits)";

    /// <summary>Reads the learner file at <paramref name="path"/>, refusing one longer than <see cref="InputLimits.MaxFileBytes"/> before reading it.</summary>
    /// <exception cref="LearnerFileException">The file is too large (<see cref="LearnerFileProblem.TooLarge"/>).</exception>
    public static byte[] ReadFile(string path, InputLimits limits) => InputBudget.ReadFile(
        path, "a learner file", limits.MaxFileBytes, nameof(InputLimits.MaxFileBytes), Usage, m => new LearnerFileException(LearnerFileProblem.TooLarge, m));

    /// <summary>
    /// Refuses a model larger than <see cref="InputLimits.MaxModelBytes"/> before it is built: for kinds whose options
    /// tell the size (<c>mlp</c>, <c>conv4</c>), the bytes of parameters and buffers those options describe; for
    /// registered and converted kinds, the bytes the header declares for the model's tensors (the loader then checks every
    /// built tensor's shape against the header's). CAVIA's context, allocated at each adaptation, is checked too.
    /// </summary>
    /// <exception cref="LearnerFileException">The model is too large (<see cref="LearnerFileProblem.TooLarge"/>).</exception>
    public static void CheckModel(string path, ModelArchitecture architecture, JsonObject manifest, IEnumerable<SafeTensors.Entry> entries, InputLimits limits)
    {
        Int128? described = ModelArchitectures.Bytes(architecture);
        Int128 bytes = described ?? entries
            .Where(e => e.Name.StartsWith("model.", StringComparison.Ordinal) || e.Name.StartsWith("buffers.", StringComparison.Ordinal))
            .Aggregate(Int128.Zero, (sum, e) => sum + e.Data.Length);
        string declared = described is not null
            ? $"describes a '{architecture.Kind}' model whose parameters and buffers take {InputBudget.Figure(bytes)} bytes"
            : $"declares {InputBudget.Figure(bytes)} bytes of parameters and buffers for its '{architecture.Kind}' model";
        Refuse(InputBudget.Exceeds($"'{path}'", declared, bytes, limits.MaxModelBytes, nameof(InputLimits.MaxModelBytes), "bytes", Usage));

        // Format 1 wrote CAVIA's options under "cavia", format 2 under "options" beside the name.
        var algorithm = manifest["algorithm"];
        bool cavia = algorithm?["name"] is JsonValue name && name.TryGetValue(out string? n) && n == "cavia";
        if ((algorithm?["cavia"]?["contextSize"] ?? (cavia ? algorithm?["options"]?["contextSize"] : null)) is JsonValue size && size.TryGetValue(out long contextSize))
        {
            // The context has the model's dtype; 8 bytes per value covers float64.
            Int128 contextBytes = (Int128)contextSize * sizeof(double);
            Refuse(InputBudget.Exceeds(
                $"'{path}'", $"describes a CAVIA context of {InputBudget.Figure(contextSize)} values (up to {InputBudget.Figure(contextBytes)} bytes at each adaptation)",
                contextBytes, limits.MaxModelBytes, nameof(InputLimits.MaxModelBytes), "bytes", Usage));
        }
    }

    private static void Refuse(string? message)
    {
        if (message is not null)
        {
            throw new LearnerFileException(LearnerFileProblem.TooLarge, message);
        }
    }
}
