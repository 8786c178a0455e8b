using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Models;

/// <summary>
/// The functional layers the models are built from. Each accepts per-task tensors (<c>x [N, ...]</c>, weights as
/// the parameters are shaped) or task-batched tensors (a leading task dimension <c>T</c> on inputs and weights).
/// </summary>
public static class Layers
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

    /// <summary>
    /// 3x3 (or any) convolution. Per task: x [N, C, H, W], W [O, C, k, k]. Batched: x [T, N, C, H, W], W [T, O, C, k, k],
    /// b [T, O]; each task is convolved with its own weights. (One grouped convolution over all tasks computes the same,
    /// but measured 4x slower than this loop on libtorch's CPU kernels, second-order backward included.)
    /// </summary>
    /// <returns>The output, owned by the caller: [N, O, H', W'] or [T, N, O, H', W'].</returns>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor bias, long padding, bool taskBatched)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(bias);
        long[] pad = { padding, padding };
        if (!taskBatched)
        {
            return F.conv2d(x, weight, bias, padding: pad);
        }

        var outputs = new Tensor[x.shape[0]];
        for (int t = 0; t < outputs.Length; t++)
        {
            outputs[t] = F.conv2d(x[t], weight[t], bias[t], padding: pad);
        }

        return stack(outputs);
    }

    /// <summary>
    /// Batch normalisation with the statistics of the current batch (no running statistics) and learnable scale and
    /// shift. Batched, x is [T, N, C, H, W] and each task's channels are normalised over that task's examples only.
    /// </summary>
    /// <returns>The output, owned by the caller.</returns>
    public static Tensor BatchNorm(Tensor x, Tensor scale, Tensor shift, bool taskBatched)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(shift);
        if (!taskBatched)
        {
            return F.batch_norm(x, null, null, scale, shift, training: true);
        }

        var outputs = new Tensor[x.shape[0]];
        for (int t = 0; t < outputs.Length; t++)
        {
            outputs[t] = F.batch_norm(x[t], null, null, scale[t], shift[t], training: true);
        }

        return stack(outputs);
    }

    /// <summary>2x2 max-pooling of [N, C, H, W], or of [T, N, C, H, W] when task-batched.</summary>
    /// <returns>The output, owned by the caller.</returns>
    public static Tensor MaxPool2x2(Tensor x, bool taskBatched)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!taskBatched)
        {
            return F.max_pool2d(x, 2);
        }

        var pooled = F.max_pool2d(x.flatten(0, 1), 2);
        return pooled.view(x.shape[0], x.shape[1], pooled.shape[1], pooled.shape[2], pooled.shape[3]);
    }
}
