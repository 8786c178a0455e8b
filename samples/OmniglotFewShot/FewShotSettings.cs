namespace OmniglotFewShot;

/// <summary>The command line, with per-algorithm defaults resolved.</summary>
internal sealed record FewShotSettings
{
    /// <summary>The evaluation task of the issue and of Lake et al.: 20-way 1-shot within one alphabet.</summary>
    public const int EvaluationWays = 20;

    /// <summary>protonet, maml, fomaml or anil.</summary>
    public required string Algorithm { get; init; }

    /// <summary>The training alphabets (zip or folder).</summary>
    public required string Background { get; init; }

    /// <summary>The validation alphabets (zip or folder); the background's alphabets are left out.</summary>
    public required string Validation { get; init; }

    /// <summary>A folder with run01..run20 of Lake et al.'s one-shot benchmark, or null.</summary>
    public string? EvalRuns { get; init; }

    /// <summary>Classes per training episode.</summary>
    public required int Ways { get; init; }

    /// <summary>Support examples per class in training episodes.</summary>
    public required int Shots { get; init; }

    /// <summary>Query examples per class in training episodes.</summary>
    public required int Queries { get; init; }

    /// <summary>Whether each training episode comes from one alphabet.</summary>
    public required bool SameAlphabet { get; init; }

    /// <summary>Episodes per meta-iteration.</summary>
    public required int MetaBatch { get; init; }

    /// <summary>Adam learning rate of the outer loop.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Most meta-iterations to train.</summary>
    public required int Iterations { get; init; }

    /// <summary>Wall-clock minutes after which training also stops (data loading and the final evaluation not included), or null for none.</summary>
    public required double? TimeBudgetMinutes { get; init; }

    /// <summary>Iterations between model-selection validations (0: none, keep the last parameters).</summary>
    public required int ValidationInterval { get; init; }

    /// <summary>Episodes of the final validation report.</summary>
    public required int ValidationEpisodes { get; init; }

    /// <summary>Inner-loop step size (MAML family).</summary>
    public required double InnerStepSize { get; init; }

    /// <summary>Inner-loop steps while meta-training (MAML family).</summary>
    public required int InnerSteps { get; init; }

    /// <summary>Inner-loop steps when adapting to validation and test episodes (MAML family).</summary>
    public required int TestInnerSteps { get; init; }

    /// <summary>Root seed of the model and the episodes.</summary>
    public required int Seed { get; init; }

    /// <summary>Intra-op threads of libtorch.</summary>
    public required int Threads { get; init; }

    /// <summary>Whether the algorithm has an inner loop and a linear head.</summary>
    public bool HasHead => Algorithm != "protonet";

    /// <summary>What is wrong with the settings, or null when they are usable.</summary>
    public string? Problem()
    {
        if (Ways < 2 || Shots < 1 || Queries < 1 || MetaBatch < 1 || Iterations < 1 || Threads < 1)
        {
            return "--ways must be at least 2, and --shots, --queries, --meta-batch, --iterations and --threads at least 1.";
        }

        if (HasHead && Ways != EvaluationWays)
        {
            return $"{Algorithm} meta-learns a {EvaluationWays}-way linear head (the evaluation is {EvaluationWays}-way), so it trains with --ways {EvaluationWays}; " +
                "only protonet, which has no head, can train with other ways.";
        }

        if (TimeBudgetMinutes is <= 0 or double.NaN || !(LearningRate > 0) || !(InnerStepSize > 0))
        {
            return "--time-budget, --lr and --inner-lr must be positive.";
        }

        if (ValidationInterval < 0 || ValidationEpisodes < 2 || InnerSteps < 1 || TestInnerSteps < 1)
        {
            return "--validation-interval must be 0 or more, --validation-episodes at least 2, --inner-steps and --test-inner-steps at least 1.";
        }

        return null;
    }
}
