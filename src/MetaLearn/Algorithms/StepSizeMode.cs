namespace MetaLearn.Algorithms;

/// <summary>How the inner loop's step sizes are set.</summary>
public enum StepSizeMode
{
    /// <summary>One fixed step size for every parameter and step (MAML).</summary>
    Fixed,

    /// <summary>A learned step size for every element of every parameter, shared by the steps (Meta-SGD).</summary>
    PerElement,

    /// <summary>A learned scalar step size per parameter tensor and per step (MAML++ LSLR).</summary>
    PerParameterPerStep,
}
