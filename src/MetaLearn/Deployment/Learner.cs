using MetaLearn.Algorithms;

namespace MetaLearn.Deployment;

/// <summary>
/// A meta-trained learner loaded from a learner file: the rebuilt model and algorithm, ready to
/// <see cref="IMetaAlgorithm.Adapt"/>. It owns both; dispose it when done (adapted models need it alive).
/// </summary>
public sealed class Learner : IDisposable
{
    internal Learner(IMetaAlgorithm algorithm, IFunctionalModel model, ModelArchitecture architecture, IReadOnlyDictionary<string, string> metadata, int formatVersion)
    {
        Algorithm = algorithm;
        Model = model;
        Architecture = architecture;
        Metadata = metadata;
        FormatVersion = formatVersion;
    }

    /// <summary>The algorithm, with its meta-trained parameters and learned step sizes.</summary>
    public IMetaAlgorithm Algorithm { get; }

    /// <summary>The model the algorithm adapts.</summary>
    public IFunctionalModel Model { get; }

    /// <summary>The architecture the model was rebuilt from.</summary>
    public ModelArchitecture Architecture { get; }

    /// <summary>The application's own metadata saved with the learner (e.g. class names, feature names).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The format version the file was written with.</summary>
    public int FormatVersion { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Algorithm.Dispose();
        Model.Dispose();
    }
}
