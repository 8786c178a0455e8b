using static TorchSharp.torch;

namespace MetaLearn.Models;

/// <summary>Argument checks shared by the models, so bad input fails with a message instead of deep in libtorch.</summary>
internal static class ModelChecks
{
    public static void Weights(IFunctionalModel model, IReadOnlyList<Tensor> weights)
    {
        if (weights.Count != model.Parameters.Count)
        {
            throw new ArgumentException(
                $"The model has {model.Parameters.Count} parameters but {weights.Count} weights were given; pass one weight per parameter, in Parameters order.",
                nameof(weights));
        }
    }

    public static Tensor SingleInput(IReadOnlyList<Tensor> inputs, string model) => inputs.Count == 1
        ? inputs[0]
        : throw new ArgumentException($"{model} reads one input tensor but the episode has {inputs.Count} modalities; use a fusion model (LateFusion, FeatureFusion) for several.", nameof(inputs));
}
