namespace MetaLearn.Tests;

/// <summary>
/// Tests that build modules or data from TorchSharp's global random generator after <c>manual_seed</c> (TorchSharp's
/// own layer initialisers draw from it). They run alone, after the parallel tests, so that no other test draws from the
/// global generator in between and their values are the same on every run; and tests that change libtorch's intra-op
/// thread count or compare with a second process at a pinned one, so no other test changes it while they compute.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRandomCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Global random generator";
}
