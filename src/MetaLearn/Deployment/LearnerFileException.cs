namespace MetaLearn.Deployment;

/// <summary>A learner file could not be loaded; <see cref="Problem"/> says why and the message says what to do.</summary>
public sealed class LearnerFileException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="problem">Why the file could not be loaded.</param>
    /// <param name="message">The message, naming the file.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public LearnerFileException(LearnerFileProblem problem, string message, Exception? inner = null)
        : base(message, inner)
    {
        Problem = problem;
    }

    /// <summary>Why the file could not be loaded.</summary>
    public LearnerFileProblem Problem { get; }
}
