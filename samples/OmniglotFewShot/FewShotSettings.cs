namespace OmniglotFewShot;

/// <summary>The command line, with per-algorithm defaults resolved.</summary>
internal sealed record FewShotSettings
{
    /// <summary>The evaluation task of the issue and of Lake et al.: 20-way 1-shot within one alphabet.</summary>
    public const int EvaluationWays = 20;

    /// <summary>The second evaluation task: 5-way 1-shot within one alphabet.</summary>
    public const int SmallWays = 5;

    /// <summary>protonet, maml, fomaml or anil.</summary>
    public required string Algorithm { get; init; }

    /// <summary>conv4gn576, conv4gn, conv4, resnet12 or resnet18 (TorchVision's, as a <see cref="Backbone"/>).</summary>
    public required string Model { get; init; }

    /// <summary>The side in pixels that the 105x105 Omniglot images are resized to (area averaging).</summary>
    public required int ImageSize { get; init; }

    /// <summary>Which statistics Conv4's batch norm normalises with.</summary>
    public required BatchNormStatistics BatchNorm { get; init; }

    /// <summary>Whether training images are distorted by a random affine transform (<see cref="FewShotRun.Augmentation"/>).</summary>
    public required bool Augment { get; init; }

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

    /// <summary>Adam learning rate of the outer loop (and of pre-training).</summary>
    public required double LearningRate { get; init; }

    /// <summary>
    /// Whether the learning rate follows a cosine from <see cref="LearningRate"/> to 0 over each phase (pre-training over
    /// <see cref="BaselineIterations"/>, meta-training over <see cref="Iterations"/>) instead of staying fixed.
    /// </summary>
    public required bool CosineSchedule { get; init; }

    /// <summary>Meta-iterations to train.</summary>
    public required int Iterations { get; init; }

    /// <summary>Wall-clock minutes after which meta-training also stops (data loading, pre-training and evaluation not included), or null for none.</summary>
    public required double? TimeBudgetMinutes { get; init; }

    /// <summary>Pre-training iterations of the fine-tuning baseline (batches of <see cref="BaselineWays"/> classes x 2 drawings).</summary>
    public required int BaselineIterations { get; init; }

    /// <summary>Classes per pre-training batch.</summary>
    public required int BaselineWays { get; init; }

    /// <summary>Whether meta-training starts from the fine-tuning baseline's pre-trained embedding (protonet only).</summary>
    public required bool FromBaseline { get; init; }

    /// <summary>Iterations between model-selection validations (0: none, keep the last parameters).</summary>
    public required int ValidationInterval { get; init; }

    /// <summary>
    /// The share of the meta-training iterations, counted back from the last, whose parameters are averaged into the final model
    /// (<see cref="WeightAverage"/>); 0: no averaging.
    /// </summary>
    public required double AverageLast { get; init; }

    /// <summary>Iterations between the averaged snapshots.</summary>
    public required int AverageEvery { get; init; }

    /// <summary>Episodes of the final validation report, for each of the 20-way and 5-way tasks.</summary>
    public required int ValidationEpisodes { get; init; }

    /// <summary>Episodes of the from-scratch baseline, for each of the 20-way and 5-way tasks.</summary>
    public required int ScratchEpisodes { get; init; }

    /// <summary>Inner-loop step size (MAML family).</summary>
    public required double InnerStepSize { get; init; }

    /// <summary>Inner-loop steps while meta-training (MAML family).</summary>
    public required int InnerSteps { get; init; }

    /// <summary>Inner-loop steps when adapting to validation and test episodes (MAML family).</summary>
    public required int TestInnerSteps { get; init; }

    /// <summary>Root seed of the models and the episodes.</summary>
    public required int Seed { get; init; }

    /// <summary>Intra-op threads of libtorch.</summary>
    public required int Threads { get; init; }

    /// <summary>Whether the algorithm has an inner loop and a linear head.</summary>
    public bool HasHead => Algorithm != "protonet";

    /// <summary>What is wrong with the settings, or null when they are usable.</summary>
    public string? Problem()
    {
        if (Ways < 2 || Shots < 1 || Queries < 1 || MetaBatch < 1 || Iterations < 1 || Threads < 1 || BaselineIterations < 1 || BaselineWays < 2)
        {
            return "--ways and --baseline-ways must be at least 2, and --shots, --queries, --meta-batch, --iterations, --baseline-iterations and --threads at least 1.";
        }

        if (ImageSize is < 16 or > 105)
        {
            return $"--image-size must lie in [16, 105] (got {ImageSize}): Conv4 pools four times, and Omniglot's images are 105x105.";
        }

        if (HasHead && Ways != EvaluationWays)
        {
            return $"{Algorithm} meta-learns a {EvaluationWays}-way linear head (the main evaluation is {EvaluationWays}-way), so it trains with --ways {EvaluationWays}; " +
                "only protonet, which has no head, can train with other ways.";
        }

        if (HasHead && FromBaseline)
        {
            return $"--from-baseline starts an embedding from the fine-tuning baseline's; {Algorithm} has a head, so it applies to protonet only.";
        }

        if (HasHead && Model == "resnet18" && Algorithm != "anil")
        {
            return $"{Algorithm} adapts every weight of the network, which a TorchVision backbone runs itself; use --algorithm protonet or anil with --model resnet18.";
        }

        if (TimeBudgetMinutes is <= 0 or double.NaN || !(LearningRate > 0) || !(InnerStepSize > 0))
        {
            return "--time-budget, --lr and --inner-step-size must be positive.";
        }

        if (ValidationInterval < 0 || ValidationEpisodes < 2 || ScratchEpisodes < 0 || InnerSteps < 1 || TestInnerSteps < 1)
        {
            return "--validation-interval and --scratch-episodes must be 0 or more, --validation-episodes at least 2, --inner-steps and --test-inner-steps at least 1.";
        }

        if (AverageLast is not (>= 0 and < 1) || AverageEvery < 1)
        {
            return $"--average-last must lie in [0, 1) (got {AverageLast}) and --average-every be at least 1 (got {AverageEvery}).";
        }

        if (AverageLast > 0 && ValidationInterval > 0)
        {
            return "--validation-interval keeps the parameters of the best validated iteration and --average-last the mean over the last iterations; " +
                "choose one: --average-last 0 for model selection, or --validation-interval 0 for averaging.";
        }

        return null;
    }
}
