namespace MetaLearn.Datasets;

/// <summary>One draw of <see cref="MakeBlobs"/>; disposing it frees <see cref="Data"/>'s tensor.</summary>
/// <param name="Data">Features (float64, <c>[Samples, Features]</c>) and labels; label i is center i.</param>
/// <param name="Centers">The centers, one row each.</param>
/// <param name="ClusterStd">The standard deviation of each center's cluster.</param>
internal sealed record MakeBlobsResult(LabeledDataset Data, IReadOnlyList<IReadOnlyList<double>> Centers, IReadOnlyList<double> ClusterStd) : IDisposable
{
    /// <inheritdoc />
    public void Dispose() => Data.Dispose();
}
