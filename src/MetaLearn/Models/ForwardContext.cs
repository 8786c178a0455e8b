namespace MetaLearn.Models;

/// <summary>How a functional forward pass is run.</summary>
/// <param name="Step">The inner-loop step (0 before any update); selects per-step batch-norm parameters and statistics.</param>
/// <param name="TaskBatched">Whether inputs and weights carry a leading task dimension.</param>
/// <remarks>
/// The algorithms also pass state of their own to the layers through it (the batch-norm statistics a pass collects
/// or normalises with, the generator an adaptation draws dropout masks from); a model that wraps other models passes
/// the context it receives on to them unchanged.
/// </remarks>
public readonly record struct ForwardContext(int Step = 0, bool TaskBatched = false)
{
    // Stored inverted so that default(ForwardContext), which every existing caller passes, means training.
    private readonly bool _evaluating;

    /// <summary>
    /// Whether the pass trains: dropout drops, and batch norm with running statistics normalises with the current
    /// batch's statistics and updates them. False is evaluation mode: dropout is the identity and batch norm with
    /// running statistics normalises with them. Batch norm without running statistics normalises with the current
    /// batch's statistics in both modes unless the algorithm passes it the support set's (see <see cref="BatchNormStatistics"/>).
    /// </summary>
    /// <value>Default true (also for <c>default(ForwardContext)</c>).</value>
    public bool Training
    {
        get => !_evaluating;
        init => _evaluating = !value;
    }

    /// <summary>
    /// Whether the pass belongs to an adaptation (the inner steps and support passes of <c>Adapt</c>, and the extra
    /// support pass that collects statistics in meta-training): batch norm with running statistics normalises with
    /// the batch's statistics as in training, whatever <see cref="Training"/> says, and never updates them.
    /// </summary>
    internal bool Adapting { get; init; }

    /// <summary>The batch-norm statistics the pass records or normalises with; null for none.</summary>
    internal NormStatistics? Statistics { get; init; }

    /// <summary>The generator dropout draws its masks from; null for the model's own (<see cref="FunctionalModel.Noise"/>).</summary>
    internal Generator? Noise { get; init; }
}
