namespace MetaLearn.Models;

/// <summary>How a functional forward pass is run.</summary>
/// <param name="Step">The inner-loop step (0 before any update); selects per-step batch-norm parameters.</param>
/// <param name="TaskBatched">Whether inputs and weights carry a leading task dimension.</param>
public readonly record struct ForwardContext(int Step = 0, bool TaskBatched = false);
