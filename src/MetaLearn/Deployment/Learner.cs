using MetaLearn.Algorithms;

namespace MetaLearn.Deployment;

/// <summary>
/// A meta-trained learner loaded from a learner file: the rebuilt model and algorithm, ready to
/// <see cref="IMetaAlgorithm.Adapt"/>. It created both and owns both: dispose it when done (a second <c>Dispose</c> does
/// nothing; afterwards the algorithm and model throw <see cref="ObjectDisposedException"/>). Adapted models made from
/// it stay valid after it is disposed, until they are disposed themselves (see <see cref="AdaptedModel"/>).
/// </summary>
public sealed class Learner : IDisposable
{
    private Learner()
    {
    }

    /// <summary>The algorithm, with its meta-trained parameters and learned step sizes.</summary>
    public IMetaAlgorithm Algorithm { get; private init; } = null!;

    /// <summary>The model the algorithm adapts.</summary>
    public IFunctionalModel Model { get; private init; } = null!;

    /// <summary>The architecture the model was rebuilt from.</summary>
    public ModelArchitecture Architecture { get; private init; } = null!;

    /// <summary>The application's own metadata saved with the learner (e.g. class names, feature names).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; private init; } = null!;

    /// <summary>The format version the file was written with.</summary>
    public int FormatVersion { get; private init; }

    /// <inheritdoc />
    public void Dispose()
    {
        Algorithm.Dispose();
        Model.Dispose();
    }

    internal static Learner Of(IMetaAlgorithm algorithm, IFunctionalModel model, ModelArchitecture architecture, IReadOnlyDictionary<string, string> metadata, int version) =>
        new() { Algorithm = algorithm, Model = model, Architecture = architecture, Metadata = metadata, FormatVersion = version };
}
