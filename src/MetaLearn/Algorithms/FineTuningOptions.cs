namespace MetaLearn.Algorithms;

/// <summary>Options of <see cref="FineTuning"/>.</summary>
public sealed record FineTuningOptions : MetaAlgorithmOptions
{
    /// <summary>The classifier, in pre-training and on each support set. <value>Default <see cref="FineTuningHead.Cosine"/>.</value></summary>
    public FineTuningHead Head
    {
        get;
        init => field = OptionChecks.Valid(value, Enum.IsDefined(value), nameof(Head), "Choose FineTuningHead.Linear or FineTuningHead.Cosine.");
    } = FineTuningHead.Cosine;

    /// <summary>
    /// The classes of supervised pre-training (the training set's: <see cref="Sampling.EpisodicSamplerOptions.CountClasses"/>
    /// of the batches' options, with <see cref="Sampling.EpisodicSamplerOptions.DatasetLabels"/>); 0 for an algorithm that only fits heads on an
    /// embedding trained elsewhere.
    /// </summary>
    /// <value>Default 0. Zero or more.</value>
    public int Classes { get => field; init => field = OptionChecks.AtLeast(value, 0, nameof(Classes), "Use 0 for no pre-training, or the number of training classes."); }

    /// <summary>The embedding's width (features per example), which the pre-training classifier needs; checked on the first batch. Only read when <see cref="Classes"/> is positive.</summary>
    /// <value>Default 0. At least 1 with pre-training.</value>
    public int Features { get => field; init => field = OptionChecks.AtLeast(value, 0, nameof(Features), "Give the number of features the model outputs per example."); }

    /// <summary>Full-batch gradient steps that fit a task's classifier on its support embeddings (Adam). <value>Default 100. At least 1.</value></summary>
    public int Steps { get => field; init => field = OptionChecks.AtLeast(value, 1, nameof(Steps), "Fitting the classifier needs at least one step (e.g. 100)."); } = 100;

    /// <summary>The step size of those steps. <value>Default 0.01. Positive and finite.</value></summary>
    public double StepSize { get => field; init => field = OptionChecks.PositiveFinite(value, nameof(StepSize), "The step size must be positive and finite (e.g. 0.01)."); } = 0.01;

    /// <summary>The cosine classifier's scale s (logits = s · cos). <value>Default 10. Positive and finite.</value></summary>
    public double Scale { get => field; init => field = OptionChecks.PositiveFinite(value, nameof(Scale), "The cosine scale must be positive and finite (e.g. 10)."); } = 10;

    /// <summary>
    /// Whether a linear classifier sees L2-normalised embeddings (Tian et al., 2020); the cosine classifier always does.
    /// </summary>
    /// <value>Default true.</value>
    public bool NormalizeFeatures { get; init; } = true;

    /// <summary>Seed of the pre-training classifier's initial values. <value>Default 0.</value></summary>
    public int Seed { get; init; }
}
