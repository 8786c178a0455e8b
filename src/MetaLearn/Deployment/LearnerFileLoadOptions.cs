using MetaLearn.Algorithms;

namespace MetaLearn.Deployment;

/// <summary>What <see cref="LearnerFile.Load(string, LearnerFileLoadOptions, InputLimits)"/> assumes where an older file is silent.</summary>
public sealed record LearnerFileLoadOptions
{
    /// <summary>
    /// The inner update rule of a MAML, first-order MAML, Meta-SGD or ANIL learner in a format-version-1 file, which did
    /// not record it (the rule's constants are taken as their defaults: momentum 0.9; Adam 0.9, 0.999, 1e-8). Files of
    /// later versions record the rule and ignore this.
    /// </summary>
    /// <value>Default null: such a file is refused (<see cref="LearnerFileProblem.Ambiguous"/>). A defined rule.</value>
    public InnerUpdateRule? Version1UpdateRule
    {
        get;
        init => field = OptionChecks.Valid(value, value is null || Enum.IsDefined(value.Value), nameof(Version1UpdateRule), "Use InnerUpdateRule.Sgd, Momentum or Adam, or null to refuse files that do not say.");
    }
}
