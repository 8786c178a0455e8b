namespace DistributedTraining;

/// <summary>The command line of the coordinator and local roles.</summary>
internal sealed record Settings(int Iterations, int Seed, int MetaBatch, int ValidationEpisodes, int Gateway);
