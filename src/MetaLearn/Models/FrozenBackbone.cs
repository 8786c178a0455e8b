using TorchSharp.Modules;

namespace MetaLearn.Models;

/// <summary>
/// A lease on a frozen copy of a <see cref="Backbone"/>'s module, as the model an adaptation and its adapted model run:
/// the copy in <c>eval()</c> mode under <c>no_grad()</c> for the features, the head (if any) functionally with the
/// weights it is given. Its parameters are the copy's (never changed) and the backbone's head parameters (read for
/// their count and initial values). Disposing gives the lease back; it holds no other mutable state, so several
/// threads may run it at once.
/// </summary>
internal sealed class FrozenBackbone : IFunctionalModel
{
    private readonly Backbone _backbone;
    private readonly BackboneSnapshot _snapshot;
    private readonly Parameter[] _parameters;
    private int _released;

    public FrozenBackbone(Backbone backbone, BackboneSnapshot snapshot)
    {
        _backbone = backbone;
        _snapshot = snapshot;
        _parameters = snapshot.Parameters.Concat(backbone.Parameters.Skip(backbone.HeadStart)).ToArray();
    }

    public IReadOnlyList<Parameter> Parameters => _parameters;

    public IReadOnlyList<string> ParameterNames => _backbone.ParameterNames;

    public IReadOnlyList<Tensor> Buffers => _snapshot.Buffers;

    public IReadOnlyList<string> BufferNames => _backbone.BufferNames;

    public int HeadStart => _backbone.HeadStart;

    public Device Device => _backbone.Device;

    public ScalarType DType => _backbone.DType;

    public bool SupportsTaskBatching => true;

    public bool UsesParameter(int index, int step) => index >= HeadStart;

    /// <summary>The features of <paramref name="x"/> through the copy (<c>[N, D]</c>, or <c>[T, N, D]</c> task-batched), without gradients.</summary>
    /// <returns>A tensor in the current dispose scope.</returns>
    public Tensor Features(Tensor x, bool taskBatched)
    {
        using var noGrad = no_grad();
        return Backbone.Features(_snapshot.Module, x, taskBatched, _backbone.Options.Features, _backbone.HasHead);
    }

    public Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(weights);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _released) != 0, this);
        ModelChecks.Weights(this, weights);
        ModelChecks.Devices(this, inputs);
        var features = Features(ModelChecks.SingleInput(inputs, nameof(Backbone)), context.TaskBatched);
        return _backbone.ApplyHead(features, weights, context.TaskBatched);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _snapshot.Release();
        }
    }
}
