using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Models;

/// <summary>
/// The functional linear layer of <see cref="Mlp"/> and the backbone heads. It accepts per-task tensors (<c>x [N, ...]</c>, weights as
/// the parameters are shaped) or task-batched tensors (a leading task dimension <c>T</c> on inputs and weights).
/// </summary>
internal static class Layers
{
    /// <summary>y = x W^T + b. Per task: x [N, in], W [out, in]; batched: x [T, N, in], W [T, out, in], b [T, out].</summary>
    /// <returns>The output, owned by the caller.</returns>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor bias, bool taskBatched)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(bias);
        if (!taskBatched)
        {
            return F.linear(x, weight, bias);
        }

        // One batched matrix product for all tasks: bias [T, 1, out] + x [T, N, in] @ W^T [T, in, out].
        // TorchSharp's baddbmm: batch1.baddbmm(batch2, mat) = mat + batch1 @ batch2, fused, with no temporary Scalar.
        return x.baddbmm(weight.transpose(1, 2), bias.unsqueeze(1));
    }
}
