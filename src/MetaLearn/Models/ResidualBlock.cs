namespace MetaLearn.Models;

/// <summary>
/// A residual block as a TorchSharp module: <c>after(body(x) + shortcut(x))</c>, with the identity as shortcut when
/// none is given and nothing after the sum when <c>after</c> is null. <see cref="FunctionalModel.FromModule"/>
/// converts it (parameter names <c>body.…</c>, <c>shortcut.…</c>, <c>after.…</c>), so residual networks such as
/// ResNet-12 meta-learn like any other converted module.
/// </summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the block; it owns the given modules and disposes them with itself.</summary>
    /// <param name="body">The residual branch.</param>
    /// <param name="shortcut">The shortcut branch (e.g. a 1x1 convolution and batch norm); null for the identity.</param>
    /// <param name="after">A module applied to the sum (e.g. an activation or a pooling); null for none.</param>
    public ResidualBlock(nn.Module<Tensor, Tensor> body, nn.Module<Tensor, Tensor>? shortcut = null, nn.Module<Tensor, Tensor>? after = null)
        : base(nameof(ResidualBlock))
    {
        ArgumentNullException.ThrowIfNull(body);
        Body = body;
        Shortcut = shortcut;
        After = after;
        register_module("body", body);
        if (shortcut is not null)
        {
            register_module("shortcut", shortcut);
        }

        if (after is not null)
        {
            register_module("after", after);
        }
    }

    /// <summary>The residual branch.</summary>
    public nn.Module<Tensor, Tensor> Body { get; }

    /// <summary>The shortcut branch; null for the identity.</summary>
    public nn.Module<Tensor, Tensor>? Shortcut { get; }

    /// <summary>What is applied to the sum; null for nothing.</summary>
    public nn.Module<Tensor, Tensor>? After { get; }

    /// <summary>Runs the block.</summary>
    /// <returns>The output, owned by the caller.</returns>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var sum = Body.forward(input).Plus(Shortcut?.forward(input) ?? input);
        var output = After is null ? sum : After.forward(sum);
        return output.MoveToOuterDisposeScope();
    }
}
