namespace MetaLearn.Algorithms;

/// <summary>
/// The optimizer the inner loop runs on the support set. Every rule is written in differentiable tensor operations, so
/// second-order meta-gradients flow through its state (what <c>higher</c>'s differentiable optimizers offer).
/// The step size (fixed or learned) multiplies the rule's direction.
/// </summary>
public enum InnerUpdateRule
{
    /// <summary>Plain gradient descent: w ← w − α g.</summary>
    Sgd,

    /// <summary>
    /// Gradient descent with momentum as PyTorch's <c>SGD(momentum: μ)</c> (no dampening, not Nesterov):
    /// v ← μ v + g (v starts at 0), w ← w − α v, with μ = <see cref="InnerLoopOptions.Momentum"/>.
    /// </summary>
    Momentum,

    /// <summary>
    /// Adam as PyTorch's <c>Adam</c> (Kingma and Ba, 2015): m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g²,
    /// w ← w − α (m / (1 − β1^t)) / (sqrt(v / (1 − β2^t)) + ε), t counting the parameter's updates.
    /// Where v is exactly 0 the square root's derivative is taken as 0 (its value is 0), so the meta-gradient stays finite.
    /// </summary>
    Adam,
}
