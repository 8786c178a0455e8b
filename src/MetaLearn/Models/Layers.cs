using static TorchSharp.torch;
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
        return x.bmm(weight.transpose(1, 2)) + bias.unsqueeze(1);
    }

    /// <summary>
    /// 3x3 (or any) convolution. Per task: x [N, C, H, W], W [O, C, k, k]. Batched: x in the grouped layout
    /// [N, T*C, H, W] (see <see cref="ToGroupedLayout"/>), W [T, O, C, k, k], b [T, O]; runs as one grouped convolution.
    /// </summary>
    /// <returns>The output, owned by the caller; batched outputs stay in the grouped layout [N, T*O, H', W'].</returns>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor bias, long padding, bool taskBatched)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(bias);
        if (!taskBatched)
        {
            return F.conv2d(x, weight, bias, padding: new[] { padding, padding });
        }

        long tasks = weight.shape[0];
        var w = weight.reshape(tasks * weight.shape[1], weight.shape[2], weight.shape[3], weight.shape[4]);
        return F.conv2d(x, w, bias.reshape(-1), padding: new[] { padding, padding }, groups: tasks);
    }

    /// <summary>
    /// Batch normalisation with the statistics of the current batch (no running statistics) and learnable scale and
    /// shift. In the grouped layout each task's channels are normalised over that task's examples only.
    /// </summary>
    /// <returns>The output, owned by the caller.</returns>
    public static Tensor BatchNorm(Tensor x, Tensor scale, Tensor shift, bool taskBatched)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(shift);
        return taskBatched
            ? F.batch_norm(x, null, null, scale.reshape(-1), shift.reshape(-1), training: true)
            : F.batch_norm(x, null, null, scale, shift, training: true);
    }

    /// <summary>Moves a task-batched image tensor [T, N, C, H, W] to the grouped layout [N, T*C, H, W].</summary>
    /// <returns>A new tensor, owned by the caller.</returns>
    public static Tensor ToGroupedLayout(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.transpose(0, 1).reshape(x.shape[1], x.shape[0] * x.shape[2], x.shape[3], x.shape[4]);
    }

    /// <summary>Moves grouped features [N, T*F] back to [T, N, F].</summary>
    /// <returns>A new tensor, owned by the caller.</returns>
    public static Tensor FromGroupedFeatures(Tensor x, long tasks)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.reshape(x.shape[0], tasks, -1).transpose(0, 1);
    }
}
