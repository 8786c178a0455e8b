namespace MetaLearn.Tasks;

/// <summary>What an episode is.</summary>
/// <param name="Ways">Number of classes (1 for regression tasks; the number of labels for multi-label tasks).</param>
/// <param name="Shots">Support examples per class (per task for regression).</param>
/// <param name="Queries">Query examples per class (per task for regression).</param>
/// <param name="Seed">The seed the sampler drew this episode from; the same seed gives the same episode.</param>
/// <param name="Kind">
/// What the targets are: class labels, regression values or multi-label values. It selects the algorithm's default loss
/// and is checked against the targets when the episode is built. Default <see cref="TaskKind.Classification"/>.
/// </param>
public sealed record EpisodeInfo(int Ways, int Shots, int Queries, int Seed, TaskKind Kind = TaskKind.Classification);
