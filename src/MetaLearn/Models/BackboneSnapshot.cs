using TorchSharp.Modules;

namespace MetaLearn.Models;

/// <summary>
/// A frozen copy of a <see cref="Backbone"/>'s module: built by its factory, holding copies of the module's parameters
/// and buffers at one moment, in <c>eval()</c> mode with gradients off. Shared by counted leases (the backbone's cache
/// and every <see cref="FrozenBackbone"/>); the last release disposes it. After creation it is only read.
/// </summary>
internal sealed class BackboneSnapshot
{
    private int _references = 1;

    private BackboneSnapshot(nn.Module<Tensor, Tensor> module, Parameter[] parameters, Tensor[] buffers)
    {
        Module = module;
        Parameters = parameters;
        Buffers = buffers;
    }

    /// <summary>The copy, in <c>eval()</c> mode.</summary>
    public nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>The copy's parameters, in the backbone's order.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The copy's buffers, in the backbone's order.</summary>
    public IReadOnlyList<Tensor> Buffers { get; }

    /// <summary>
    /// Builds a copy with <paramref name="createModule"/> and copies the live values into it. The global generator's
    /// state is put back afterwards, so building draws nothing from what dropout in training draws from.
    /// </summary>
    /// <returns>A snapshot holding one reference (the caller's).</returns>
    /// <exception cref="InvalidOperationException">The factory built a module whose parameters or buffers differ in names or shapes.</exception>
    public static BackboneSnapshot Create(
        Func<nn.Module<Tensor, Tensor>> createModule, IReadOnlyList<string> names, IReadOnlyList<Tensor> live, IReadOnlyList<string> bufferNames, IReadOnlyList<Tensor> liveBuffers, Device device)
    {
        nn.Module<Tensor, Tensor> module;
        using (var state = random.get_rng_state())
        {
            try
            {
                module = Backbone.Build(createModule) ?? throw new InvalidOperationException("The backbone's module factory returned null.");
            }
            finally
            {
                random.set_rng_state(state);
            }
        }

        try
        {
            module.to(device);
            var parameters = module.named_parameters().ToArray();
            var buffers = module.named_buffers().ToArray();
            Check(parameters.Select(p => (p.name, (Tensor)p.parameter)).ToArray(), names, live, "parameter");
            Check(buffers, bufferNames, liveBuffers, "buffer");
            using (no_grad())
            {
                for (int i = 0; i < live.Count; i++)
                {
                    parameters[i].parameter.copy_(live[i]);
                    parameters[i].parameter.requires_grad = false;
                }

                for (int i = 0; i < liveBuffers.Count; i++)
                {
                    buffers[i].buffer.copy_(liveBuffers[i]);
                }
            }

            module.eval();
            return new BackboneSnapshot(module, parameters.Select(p => p.parameter).ToArray(), buffers.Select(b => b.buffer).ToArray());
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>Whether the copy still holds exactly <paramref name="live"/>'s and <paramref name="liveBuffers"/>' values.</summary>
    public bool Holds(IReadOnlyList<Tensor> live, IReadOnlyList<Tensor> liveBuffers)
    {
        using var scope = NewDisposeScope();
        for (int i = 0; i < live.Count; i++)
        {
            if (!Same(Parameters[i], live[i]))
            {
                return false;
            }
        }

        for (int i = 0; i < liveBuffers.Count; i++)
        {
            if (!Same(Buffers[i], liveBuffers[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Takes one more reference.</summary>
    /// <returns>This snapshot.</returns>
    public BackboneSnapshot Acquire()
    {
        Interlocked.Increment(ref _references);
        return this;
    }

    /// <summary>Gives a reference back; the last one disposes the copy.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Module.Dispose();
        }
    }

    private static bool Same(Tensor copy, Tensor live) => copy.eq(live).all().item<bool>();

    private static void Check(IReadOnlyList<(string Name, Tensor Value)> made, IReadOnlyList<string> names, IReadOnlyList<Tensor> live, string what)
    {
        var madeNames = made.Select(m => m.Name).ToArray();
        if (!madeNames.SequenceEqual(names, StringComparer.Ordinal))
        {
            throw new InvalidOperationException(
                $"The backbone's module factory built a module whose {what}s differ from the backbone's ({string.Join(", ", madeNames.Except(names).Concat(names.Except(madeNames)).Take(5))}); " +
                "the factory must build the same architecture every call.");
        }

        for (int i = 0; i < live.Count; i++)
        {
            if (!made[i].Value.shape.SequenceEqual(live[i].shape) || made[i].Value.dtype != live[i].dtype)
            {
                throw new InvalidOperationException(
                    $"The backbone's module factory built {what} '{names[i]}' as {made[i].Value.dtype} [{string.Join(", ", made[i].Value.shape)}] but the backbone's is " +
                    $"{live[i].dtype} [{string.Join(", ", live[i].shape)}]; the factory must build the same architecture every call.");
            }
        }
    }
}
