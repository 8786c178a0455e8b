namespace MetaLearn.Algorithms;

/// <summary>
/// iMAML's inner solver: gradient descent from θ on each task's proximal objective G(φ) = L_support(φ) + λ/2 ‖φ − θ‖²,
/// safeguarded so that G never increases. A step that would raise a task's G (or make it NaN) is not taken, and that
/// task's step size is halved for its next step; the other tasks of a task-batched meta-batch are unaffected.
/// </summary>
/// <remarks>
/// Why: iMAML's meta-gradient is the implicit gradient at the minimiser of G (Rajeswaran et al. 2019, Section 3), so it
/// does not see whether the inner solver reaches that minimiser. Plain gradient descent with a fixed step α converges
/// only while α (λ + the support loss's largest curvature) &lt; 2, and meta-training sharpens the support loss (a sharper
/// loss moves the minimiser of G closer to the task's optimum), until some tasks' inner steps overshoot and grow to an
/// infinite or NaN loss. Measured on the sine sample without the safeguard (λ = 10, 10 steps of α = 0.01, meta-batch 25,
/// Adam 1e-3): seeds 0, 1, 3 and 4 of 0 to 4 stopped with a non-finite loss between meta-iterations 998 and 1,722; with
/// Adam 1e-2, meta-batch 5 and α = 0.005, seed 3 stopped at meta-iteration 89, where one task's support loss after 1 to
/// 10 inner steps read 1.3e3, 1.2e3, 194, 1.8e4, 1.7e5, 3.6e4, 4.5e9, 6.4e32, ∞, NaN. With the safeguard every step
/// lowers G or is not taken, so the adapted weights stay finite whatever the curvature. Cost: one more support pass
/// (steps + 1 instead of steps); memory does not grow with the number of steps.
/// </remarks>
internal static class ProximalDescent
{
    /// <summary>Runs <paramref name="steps"/> safeguarded gradient steps on G from θ.</summary>
    /// <param name="theta">θ, one detached tensor per parameter ([T, ...] when <paramref name="taskBatched"/>); not disposed.</param>
    /// <param name="used">Which parameters the loss uses; the others are returned as the θ tensors themselves.</param>
    /// <param name="perTaskLoss">φ ↦ each task's support loss ([T] when task-batched, a scalar otherwise), differentiable in φ.</param>
    /// <param name="steps">Gradient steps (each may be refused), at least 0.</param>
    /// <param name="stepSize">The initial step size α of every task.</param>
    /// <param name="regularization">λ.</param>
    /// <param name="taskBatched">Whether dimension 0 of every tensor indexes tasks.</param>
    /// <returns>φ, detached: new tensors in the caller's dispose scope for the used parameters, the θ tensors for the others.</returns>
    public static Tensor[] Minimize(IReadOnlyList<Tensor> theta, IReadOnlyList<bool> used, Func<Tensor[], Tensor> perTaskLoss, int steps, double stepSize, double regularization, bool taskBatched)
    {
        using var negativeStepSize = (-stepSize).ToScalar();
        using var lambda = regularization.ToScalar();
        using var halfLambda = (regularization / 2).ToScalar();
        using var half = 0.5.ToScalar();
        using var slack = (64 * Epsilon(theta[0].dtype)).ToScalar();

        var phi = theta.ToArray();
        var (objective, direction) = Evaluate(theta, used, perTaskLoss, phi, lambda, halfLambda, taskBatched, gradient: true);
        var scale = ones_like(objective);
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var candidate = phi.Select((p, i) => used[i] ? p.add(direction![i]! * ConjugateGradient.Broadcast(scale, p, taskBatched), negativeStepSize) : p).ToArray();
            bool last = step == steps - 1;
            var (candidateObjective, candidateDirection) = Evaluate(theta, used, perTaskLoss, candidate, lambda, halfLambda, taskBatched, gradient: !last);

            // A step is refused when it raises G by more than rounding (near the minimum, G computed at the candidate can
            // exceed G at φ by a few units in the last place); NaN compares false, so a non-finite loss is refused too.
            var accept = candidateObjective.le(objective.add(objective.abs(), slack));
            var nextPhi = phi.Select((p, i) => used[i] ? where(ConjugateGradient.Broadcast(accept, p, taskBatched), candidate[i], p).MoveToOuterDisposeScope() : p).ToArray();
            var nextDirection = last ? null : direction!.Select((d, i) => used[i] ? where(ConjugateGradient.Broadcast(accept, d!, taskBatched), candidateDirection![i]!, d!).MoveToOuterDisposeScope() : d).ToArray();
            var nextObjective = where(accept, candidateObjective, objective).MoveToOuterDisposeScope();
            var nextScale = where(accept, scale, scale.mul(half)).MoveToOuterDisposeScope();

            // What the previous step kept is replaced: free it now, so memory does not grow with the number of steps.
            for (int i = 0; i < phi.Length; i++)
            {
                if (used[i])
                {
                    if (!ReferenceEquals(phi[i], theta[i]))
                    {
                        phi[i].Dispose();
                    }

                    if (nextDirection is not null)
                    {
                        direction![i]!.Dispose();
                    }
                }
            }

            objective.Dispose();
            scale.Dispose();
            (phi, objective, scale) = (nextPhi, nextObjective, nextScale);
            direction = nextDirection ?? direction;
        }

        objective.Dispose();
        scale.Dispose();
        if (direction is not null)
        {
            foreach (var d in direction)
            {
                d?.Dispose();
            }
        }

        return phi;
    }

    /// <summary>Each task's G at <paramref name="phi"/> and, if asked, ∇G = ∇L + λ (φ − θ) for the used parameters.</summary>
    /// <returns>Detached tensors in the current dispose scope; the direction array holds null for unused parameters.</returns>
    private static (Tensor Objective, Tensor?[]? Direction) Evaluate(
        IReadOnlyList<Tensor> theta, IReadOnlyList<bool> used, Func<Tensor[], Tensor> perTaskLoss, Tensor[] phi, Scalar lambda, Scalar halfLambda, bool taskBatched, bool gradient)
    {
        var leaves = phi.Select((w, i) => used[i] && gradient ? w.detach().requires_grad_(true) : w).ToArray();
        Tensor loss;
        IList<Tensor>? grads = null;
        if (gradient)
        {
            loss = perTaskLoss(leaves);
            grads = torch.autograd.grad(new[] { taskBatched ? loss.sum() : loss }, leaves.Where((_, i) => used[i]).ToArray());
        }
        else
        {
            using var noGrad = no_grad();
            loss = perTaskLoss(leaves);
        }

        var objective = loss.detach();
        var direction = gradient ? new Tensor?[phi.Length] : null;
        int g = 0;
        for (int i = 0; i < phi.Length; i++)
        {
            if (!used[i])
            {
                continue;
            }

            var difference = phi[i].detach() - theta[i];
            var squared = taskBatched ? difference.Squared().flatten(1).sum(1L) : difference.Squared().sum();
            objective = objective.add(squared, halfLambda);
            if (direction is not null)
            {
                direction[i] = grads![g++].add(difference, lambda);
            }
        }

        return (objective, direction);
    }

    /// <summary>The machine epsilon of <paramref name="dtype"/> (the gap between 1 and the next representable number).</summary>
    private static double Epsilon(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 => Math.BitIncrement(1.0) - 1.0,
        ScalarType.Float16 => 9.765625e-4,
        ScalarType.BFloat16 => 7.8125e-3,
        _ => MathF.BitIncrement(1.0f) - 1.0f,
    };
}
