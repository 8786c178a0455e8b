namespace MetaLearn.Models;

/// <summary>How a functional forward pass is run.</summary>
/// <param name="Step">The inner-loop step (0 before any update); selects per-step batch-norm parameters and statistics.</param>
/// <param name="TaskBatched">Whether inputs and weights carry a leading task dimension.</param>
public readonly record struct ForwardContext(int Step = 0, bool TaskBatched = false)
{
    // Stored inverted so that default(ForwardContext), which every existing caller passes, means training.
    private readonly bool _evaluating;

    /// <summary>
    /// Whether the pass trains: batch norm normalises with the current batch's statistics and updates its running
    /// statistics, and dropout drops. False is evaluation mode: batch norm uses its running statistics (when the layer
    /// keeps them) and dropout is the identity.
    /// </summary>
    /// <value>Default true (also for <c>default(ForwardContext)</c>).</value>
    public bool Training
    {
        get => !_evaluating;
        init => _evaluating = !value;
    }
}
