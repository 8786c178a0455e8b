namespace MetaLearn.Sampling;

/// <summary>
/// The base of classification task samplers' options: <see cref="Ways"/> classes per episode, each with
/// <see cref="FewShotTaskOptions.Shots"/> support and <see cref="FewShotTaskOptions.Queries"/> query examples
/// (N-way K-shot). Each derived options type documents its own defaults and its smallest N.
/// </summary>
public abstract record ClassificationTaskOptions : FewShotTaskOptions
{
    private readonly int _minimumWays;

    /// <summary>Sets the derived options' defaults and the smallest number of classes their sampler accepts.</summary>
    /// <param name="ways">Default <see cref="Ways"/>.</param>
    /// <param name="shots">Default <see cref="FewShotTaskOptions.Shots"/>.</param>
    /// <param name="queries">Default <see cref="FewShotTaskOptions.Queries"/>.</param>
    /// <param name="minimumWays">The smallest <see cref="Ways"/> accepted: 1 where an episode of one class or cluster is meaningful, else 2.</param>
    protected ClassificationTaskOptions(int ways, int shots, int queries, int minimumWays)
        : base(shots, queries)
    {
        _minimumWays = minimumWays;
        Ways = ways;
    }

    /// <summary>Classes (or clusters) per episode (N). <value>At least the derived options' minimum (1 or 2).</value></summary>
    public int Ways
    {
        get;
        init => field = OptionChecks.Valid(value, value >= _minimumWays, nameof(Ways), $"An episode of this task needs at least {_minimumWays} class(es) (ways).");
    }
}
