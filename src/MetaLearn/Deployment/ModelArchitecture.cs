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
    public IFunctionalModel Build() => ModelArchitectures.Build(this);
}
