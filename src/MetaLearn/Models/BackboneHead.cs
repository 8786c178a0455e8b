using TorchSharp.Modules;

namespace MetaLearn.Models;

/// <summary>
/// A <see cref="Backbone"/>'s linear head as a model of its own over the backbone's features (<c>[N, D]</c>, or
/// <c>[T, N, D]</c> task-batched): what ANIL's inner loop adapts once the features of a meta-batch are computed, so the
/// module runs once per meta-batch instead of once per inner step. Its parameters are the backbone's head parameters.
/// </summary>
internal sealed class BackboneHead(Backbone backbone) : IFunctionalModel
{
    public IReadOnlyList<Parameter> Parameters { get; } = backbone.Parameters.Skip(backbone.HeadStart).ToArray();

    public IReadOnlyList<string> ParameterNames { get; } = backbone.ParameterNames.Skip(backbone.HeadStart).ToArray();

    public int HeadStart => 0;

    public Device Device => backbone.Device;

    public ScalarType DType => backbone.DType;

    public bool SupportsTaskBatching => true;

    public Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context)
    {
        ModelChecks.Weights(this, weights);
        return Layers.Linear(ModelChecks.SingleInput(inputs, "A backbone's head"), weights[0], weights[1], context.TaskBatched);
    }

    /// <summary>Nothing to free: the parameters are the backbone's.</summary>
    public void Dispose()
    {
    }
}
