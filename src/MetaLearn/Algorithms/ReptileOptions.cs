namespace MetaLearn.Algorithms;

/// <summary>Options of <see cref="Reptile"/>.</summary>
public sealed record ReptileOptions
{
    private readonly int _innerSteps = 5;
    private readonly double _innerStepSize = 0.01;

    /// <summary>Plain SGD steps on each task's support set. <value>Default 5. At least 1.</value></summary>
    public int InnerSteps
    {
        get => _innerSteps;
        init => _innerSteps = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(InnerSteps), value, "Reptile needs at least one inner step.");
    }

    /// <summary>The inner SGD step size. <value>Default 0.01. Positive and finite.</value></summary>
    public double InnerStepSize
    {
        get => _innerStepSize;
        init => _innerStepSize = value > 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(InnerStepSize), value, "The inner step size must be positive and finite.");
    }

    /// <summary>Whether episodes of equal shapes adapt as one task-batched computation. <value>Default true.</value></summary>
    public bool TaskBatching { get; init; } = true;
}
