namespace MetaLearn.Datasets;

/// <summary>What a column of a <see cref="MakeClassification"/> draw is made of.</summary>
internal enum FeatureKind
{
    /// <summary>Holds the class structure (cluster centroids plus Gaussian noise).</summary>
    Informative,

    /// <summary>A random linear combination of the informative features.</summary>
    Redundant,

    /// <summary>A copy of an informative or redundant feature.</summary>
    Repeated,

    /// <summary>Standard normal noise.</summary>
    Useless,
}
