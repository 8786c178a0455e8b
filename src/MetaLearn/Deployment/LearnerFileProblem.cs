namespace MetaLearn.Deployment;

/// <summary>Why a learner file could not be loaded.</summary>
public enum LearnerFileProblem
{
    /// <summary>The file ends early (an interrupted copy or download).</summary>
    Truncated,

    /// <summary>
    /// The file is complete but its bytes were changed (the checksum or the layout does not match), or its manifest lacks
    /// a setting or holds one of the wrong type or an invalid value.
    /// </summary>
    Corrupted,

    /// <summary>The file is not a MetaLearn learner file (another format, or a safetensors file without MetaLearn's manifest).</summary>
    Foreign,

    /// <summary>The file was written by a newer MetaLearn whose format version this one does not read.</summary>
    NewerVersion,

    /// <summary>The file is intact but names an algorithm, model kind, loss or setting this process does not know.</summary>
    Unsupported,

    /// <summary>
    /// The file, or the model it describes, is larger than the <see cref="InputLimits"/> the loader was given allow;
    /// nothing was allocated from it. The message names the limit to raise for a file you trust.
    /// </summary>
    TooLarge,

    /// <summary>
    /// The file is intact but its tensors do not match the learner its manifest describes: tensors the learner needs are
    /// missing, tensors it does not have are left over, or a tensor has another shape or type.
    /// </summary>
    Inconsistent,

    /// <summary>
    /// The file is from an older format version that did not record a setting the learner needs; the message says which
    /// and how to state it (<see cref="LearnerFile.Load"/>'s <c>version1UpdateRule</c>).
    /// </summary>
    Ambiguous,
}
