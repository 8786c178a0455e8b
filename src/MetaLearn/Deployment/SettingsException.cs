namespace MetaLearn.Deployment;

/// <summary>
/// A learner file's manifest holds a setting that is missing, unknown or invalid (<paramref name="problem"/> says which);
/// <see cref="LearnerFile.Load"/> turns it into a <see cref="LearnerFileException"/> naming the file,
/// and <see cref="ModelArchitecture.Build"/> throws it as it is.
/// </summary>
internal sealed class SettingsException(LearnerFileProblem problem, string message, Exception? inner = null) : ArgumentException(message, inner)
{
    /// <summary>Which kind of problem the setting is.</summary>
    public LearnerFileProblem Problem { get; } = problem;
}
