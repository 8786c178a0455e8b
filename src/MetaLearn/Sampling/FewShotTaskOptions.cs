namespace MetaLearn.Sampling;

/// <summary>
/// The base of every task sampler's options: how many support and query examples an episode holds, per class in a
/// classification task (<see cref="ClassificationTaskOptions"/>) and per task in a regression task. Each derived
/// options type documents its own defaults.
/// </summary>
public abstract record FewShotTaskOptions
{
    /// <summary>Sets the derived options' defaults.</summary>
    /// <param name="shots">Default <see cref="Shots"/>.</param>
    /// <param name="queries">Default <see cref="Queries"/>.</param>
    protected FewShotTaskOptions(int shots, int queries)
    {
        Shots = shots;
        Queries = queries;
    }

    /// <summary>Labelled support examples (K), per class in a classification task and per task in a regression task. <value>At least 1.</value></summary>
    public int Shots
    {
        get;
        init => field = OptionChecks.AtLeast(value, 1, nameof(Shots), "An episode needs at least one support example (shot) per class, or per task in regression.");
    }

    /// <summary>Query examples (Q), per class in a classification task and per task in a regression task. <value>At least 1.</value></summary>
    public int Queries
    {
        get;
        init => field = OptionChecks.AtLeast(value, 1, nameof(Queries), "An episode needs at least one query example per class, or per task in regression.");
    }

    /// <summary>
    /// Checks the rules that involve several properties (single properties are checked when set).
    /// The sampler calls it when it is created, so invalid options fail before any episode is drawn.
    /// </summary>
    /// <exception cref="ArgumentException">A rule is broken; the message says what to change.</exception>
    public virtual void Validate()
    {
    }
}
