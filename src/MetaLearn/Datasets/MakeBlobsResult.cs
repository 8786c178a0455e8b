namespace MetaLearn.Datasets;

/// <summary>One draw of <see cref="MakeBlobs"/>.</summary>
/// <param name="Data">Features and labels; label i is center i.</param>
/// <param name="Centers">The centers, one row each.</param>
/// <param name="ClusterStd">The standard deviation of each center's cluster.</param>
public sealed record MakeBlobsResult(LabeledData Data, IReadOnlyList<IReadOnlyList<double>> Centers, IReadOnlyList<double> ClusterStd);
