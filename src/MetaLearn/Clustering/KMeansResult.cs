namespace MetaLearn.Clustering;

/// <summary>The best clustering k-means++ found (<see cref="KMeans"/>).</summary>
/// <param name="Labels">The cluster of every point, in [0, Clusters).</param>
/// <param name="Centers">The cluster centers, one row each.</param>
/// <param name="Inertia">Sum of squared distances from every point to its center.</param>
/// <param name="Iterations">Lloyd iterations of the winning start.</param>
internal sealed record KMeansResult(IReadOnlyList<int> Labels, IReadOnlyList<IReadOnlyList<double>> Centers, double Inertia, int Iterations);
