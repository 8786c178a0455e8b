namespace MetaLearn.Algorithms;

/// <summary>
/// Meta-training over a <see cref="Backbone"/>: one forward pass of its module, in <c>train()</c> mode, embeds every
/// support and query example of a meta-batch (all tasks' when task-batched), so batch norm normalises over all of
/// them, as in supervised training; the algorithm then works on the features.
/// </summary>
internal static class BackboneFeatures
{
    /// <summary>The support and query features of the side(s): <c>[N, D]</c> and <c>[M, D]</c>, or <c>[T, N, D]</c> and <c>[T, M, D]</c>.</summary>
    /// <returns>Tensors in the current dispose scope, differentiable in the module's parameters.</returns>
    public static (Tensor Support, Tensor Query) Embed(Backbone backbone, EpisodeSide support, EpisodeSide query)
    {
        var s = ModelChecks.SingleInput(support.Inputs, nameof(Backbone));
        var q = ModelChecks.SingleInput(query.Inputs, nameof(Backbone));
        int dim = support.TaskBatched ? 1 : 0;
        var features = backbone.TrainingFeatures(cat(new[] { s, q }, dim), support.TaskBatched);
        long n = s.shape[dim];
        return (features.narrow(dim, 0, n), features.narrow(dim, n, q.shape[dim]));
    }
}
