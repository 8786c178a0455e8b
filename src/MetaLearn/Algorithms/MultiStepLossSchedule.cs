namespace MetaLearn.Algorithms;

/// <summary>
/// The multi-step loss weights of MAML++ (Antoniou et al., 2019, "How to train your MAML", and its reference code's
/// <c>get_per_step_loss_importance_vector</c>), with meta-iterations in place of the paper's epochs.
/// </summary>
internal static class MultiStepLossSchedule
{
    /// <summary>
    /// The weight of the query loss after each of <paramref name="steps"/> inner steps at meta-iteration
    /// <paramref name="iteration"/>. With S steps, N = <paramref name="annealingIterations"/> and floor f: before N,
    /// each non-final weight is max(1/S − i/(S·N), f/S) and the final weight min(1/S + i·(S−1)/(S·N), 1 − (S−1)·f/S)
    /// (all equal to 1/S at i = 0, summing to 1 until the floor is reached); from N on, only the final step counts
    /// (weights 0, ..., 0, 1).
    /// </summary>
    /// <param name="steps">Inner steps S, at least 1.</param>
    /// <param name="iteration">The meta-iteration i, zero or more.</param>
    /// <param name="annealingIterations">Meta-iterations N with the multi-step loss on; 0 scores only the final step.</param>
    /// <param name="floor">f in [0, 1): the non-final weights' floor times S (the paper's 0.03).</param>
    /// <returns>S weights, the final step's last.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public static double[] Weights(int steps, int iteration, int annealingIterations, double floor = 0.03)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        ArgumentOutOfRangeException.ThrowIfNegative(annealingIterations);
        if (!(floor >= 0 && floor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(floor), floor, "The floor must be at least 0 and below 1 (the paper uses 0.03).");
        }

        var weights = new double[steps];
        if (iteration >= annealingIterations)
        {
            weights[^1] = 1;
            return weights;
        }

        double decay = 1.0 / steps / annealingIterations;
        for (int s = 0; s < steps - 1; s++)
        {
            weights[s] = Math.Max((1.0 / steps) - (iteration * decay), floor / steps);
        }

        weights[^1] = Math.Min((1.0 / steps) + (iteration * (steps - 1) * decay), 1 - ((steps - 1) * floor / steps));
        return weights;
    }
}
