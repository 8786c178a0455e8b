namespace MetaLearn.Datasets;

/// <summary>
/// One draw of <see cref="MakeClassification"/>: the data and how it was made. Per-feature metadata is in the
/// order of <see cref="Data"/>'s columns (after the feature shuffle); per-sample metadata in the order of its rows.
/// Disposing the result frees <see cref="Data"/>'s tensor.
/// </summary>
/// <param name="Data">Features (float64, <c>[Samples, Features]</c>) and labels (the labels after <see cref="MakeClassificationOptions.FlipY"/>).</param>
/// <param name="CleanLabels">Each sample's label before the random replacement: the class of its cluster.</param>
/// <param name="Replaced">Whether the sample was picked for a random label (which may equal its clean label).</param>
/// <param name="Clusters">Each sample's cluster; cluster k belongs to class k % Classes.</param>
/// <param name="FeatureKinds">What every column is.</param>
/// <param name="SourceColumns">Every column's index before the feature shuffle (informative first, then redundant, repeated, useless).</param>
/// <param name="Centroids">Cluster centroids in the informative space, one row per cluster, before shift and scale.</param>
/// <param name="Shift">The shift added to every column.</param>
/// <param name="Scale">The scale every column was multiplied by.</param>
internal sealed record MakeClassificationResult(
    LabeledDataset Data,
    IReadOnlyList<int> CleanLabels,
    IReadOnlyList<bool> Replaced,
    IReadOnlyList<int> Clusters,
    IReadOnlyList<FeatureKind> FeatureKinds,
    IReadOnlyList<int> SourceColumns,
    IReadOnlyList<IReadOnlyList<double>> Centroids,
    IReadOnlyList<double> Shift,
    IReadOnlyList<double> Scale) : IDisposable
{
    /// <summary>Frees <see cref="Data"/>'s tensor.</summary>
    public void Dispose() => Data.Dispose();

    /// <summary>The columns holding informative features, in their pre-shuffle order.</summary>
    public IReadOnlyList<int> InformativeFeatures => ColumnsOf(FeatureKind.Informative);

    /// <summary>The columns holding redundant features, in their pre-shuffle order.</summary>
    public IReadOnlyList<int> RedundantFeatures => ColumnsOf(FeatureKind.Redundant);

    private int[] ColumnsOf(FeatureKind kind) =>
        Enumerable.Range(0, SourceColumns.Count).Where(c => FeatureKinds[c] == kind).OrderBy(c => SourceColumns[c]).ToArray();
}
