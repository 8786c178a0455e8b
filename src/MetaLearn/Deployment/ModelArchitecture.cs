using System.Text.Json.Nodes;

namespace MetaLearn.Deployment;

/// <summary>
/// What a learner file records of a model so that another process can rebuild it: a kind (e.g. <c>mlp</c>) and the
/// kind's options as JSON. The kinds are registered in <see cref="ModelArchitectures"/>; a new model type becomes
/// saveable by registering how to describe and rebuild it.
/// </summary>
/// <param name="Kind">The registered kind, e.g. <c>mlp</c> or <c>conv4</c>.</param>
/// <param name="Options">The kind's options (without device: a loaded model lives on the CPU unless asked otherwise).</param>
public sealed record ModelArchitecture(string Kind, JsonObject Options)
{
    /// <summary>The architecture of <paramref name="model"/>, from the registered kinds.</summary>
    /// <exception cref="NotSupportedException">No registered kind describes the model's type.</exception>
    public static ModelArchitecture Of(IFunctionalModel model) => ModelArchitectures.Describe(model);

    /// <summary>Builds a new model of this architecture (with freshly initialised parameters).</summary>
    /// <returns>A new model the caller owns.</returns>
    /// <exception cref="ArgumentException">
    /// The kind is not registered, or the options of a built-in kind miss an option, hold one it does not know, or hold an invalid value.
    /// </exception>
    public IFunctionalModel Build() => ModelArchitectures.Build(this);

    /// <summary><c>{"kind": ..., "options": ...}</c>, as a learner file's manifest and a fusion's branches hold it.</summary>
    internal JsonObject ToJson() => new() { ["kind"] = Kind, ["options"] = Options.DeepClone() };

    /// <summary>The architecture <see cref="ToJson"/> wrote, read strictly.</summary>
    internal static ModelArchitecture FromJson(ManifestObject o)
    {
        var architecture = new ModelArchitecture(o.String("kind"), o.Required("options") as JsonObject ?? throw o.Invalid("options", "is not a JSON object"));
        o.End();
        return architecture;
    }
}
