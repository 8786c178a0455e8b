namespace MetaLearn.Algorithms;

/// <summary>
/// The conjugate-gradient method (Hestenes and Stiefel, 1952) for A x = b with A symmetric positive definite, given
/// only as a product A·v: iMAML's solver for its implicit meta-gradient. x and b are lists of tensors (one per
/// parameter) read as one long vector; with a leading task dimension every task's system is solved independently.
/// </summary>
internal static class ConjugateGradient
{
    /// <summary>Runs <paramref name="iterations"/> conjugate-gradient steps from x = 0 (fewer once every residual is 0).</summary>
    /// <param name="apply">v ↦ A v (it may use autograd, e.g. Hessian-vector products; its result is detached).</param>
    /// <param name="b">The right-hand side, one tensor per parameter.</param>
    /// <param name="iterations">Steps, at least 1 (n steps solve an n-dimensional system exactly, up to rounding).</param>
    /// <param name="taskBatched">Whether dimension 0 of every tensor indexes independent systems.</param>
    /// <returns>The approximate solution, one tensor per parameter, detached; owned by the caller (or the current dispose scope).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="iterations"/> is below 1.</exception>
    public static Tensor[] Solve(Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>> apply, IReadOnlyList<Tensor> b, int iterations, bool taskBatched)
    {
        ArgumentNullException.ThrowIfNull(apply);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        if (b.Count == 0)
        {
            throw new ArgumentException("The right-hand side needs at least one tensor.", nameof(b));
        }

        using var scope = NewDisposeScope();
        using var zero = 0.0.ToScalar();
        var x = b.Select(t => zeros_like(t)).ToArray();
        var r = b.Select(t => t.detach().clone()).ToArray();
        var p = r.ToArray();
        var rr = Dot(r, r, taskBatched);
        for (int k = 0; k < iterations && rr.gt(zero).any().item<bool>(); k++)
        {
            var ap = apply(p).Select(t => t.detach()).ToArray();
            var pap = Dot(p, ap, taskBatched);
            var alpha = where(pap.ne(zero), rr / pap, zeros_like(pap));
            for (int i = 0; i < x.Length; i++)
            {
                var a = Broadcast(alpha, x[i], taskBatched);
                x[i] = x[i].Plus(a * p[i]);
                r[i] = r[i] - (a * ap[i]);
            }

            var rrNext = Dot(r, r, taskBatched);
            var beta = where(rr.ne(zero), rrNext / rr, zeros_like(rr));
            p = r.Select((ri, i) => ri.Plus(Broadcast(beta, ri, taskBatched) * p[i])).ToArray();
            rr = rrNext;
        }

        foreach (var t in x)
        {
            t.MoveToOuterDisposeScope();
        }

        return x;
    }

    /// <summary>Σ_i ⟨a_i, b_i⟩: a scalar, or one value per task ([T]) when task-batched.</summary>
    private static Tensor Dot(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b, bool taskBatched)
    {
        Tensor? sum = null;
        for (int i = 0; i < a.Count; i++)
        {
            var product = a[i] * b[i];
            var term = taskBatched ? product.flatten(1).sum(1L) : product.sum();
            sum = sum is null ? term : sum.Plus(term);
        }

        return sum!;
    }

    /// <summary>Per-task values [T] reshaped to broadcast against <paramref name="like"/> ([T, ...]); a scalar as it is when not task-batched.</summary>
    internal static Tensor Broadcast(Tensor values, Tensor like, bool taskBatched)
    {
        if (!taskBatched)
        {
            return values;
        }

        var shape = new long[like.dim()];
        Array.Fill(shape, 1L);
        shape[0] = values.shape[0];
        return values.view(shape);
    }
}
