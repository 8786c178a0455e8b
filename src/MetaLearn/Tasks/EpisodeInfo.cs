namespace MetaLearn.Tasks;

/// <summary>What an episode is.</summary>
/// <param name="Ways">Number of classes (1 for regression tasks).</param>
/// <param name="Shots">Support examples per class (per task for regression).</param>
/// <param name="Queries">Query examples per class (per task for regression).</param>
/// <param name="Seed">The seed the sampler drew this episode from; the same seed gives the same episode.</param>
public sealed record EpisodeInfo(int Ways, int Shots, int Queries, int Seed);
