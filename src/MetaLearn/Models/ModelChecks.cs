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

    /// <summary>Throws when an input is not on the model's device, before libtorch would fail mid-forward.</summary>
    public static void Devices(IFunctionalModel model, IReadOnlyList<Tensor> inputs)
    {
        var device = model.Device;
        for (int m = 0; m < inputs.Count; m++)
        {
            if (!Tasks.Episode.IsOnDevice(inputs[m], device))
            {
                throw new ArgumentException(
                    $"Input {m} is on {inputs[m].device} but the model is on {device}: move the inputs with .to(model.Device) " +
                    "(meta-training, evaluation, Adapt and AdaptedModel.Predict move episodes and inputs to the model's device themselves).",
                    nameof(inputs));
            }
        }
    }

    /// <summary>
    /// Throws when <paramref name="model"/> is a <see cref="Backbone"/>, for <paramref name="algorithm"/>, which adapts
    /// every weight of the network functionally: a backbone's module runs with its own parameters, so the inner loop
    /// would silently leave them as they are.
    /// </summary>
    public static void AdaptsEveryWeight(IFunctionalModel model, string algorithm)
    {
        if (model is Backbone)
        {
            throw new ArgumentException(
                $"{algorithm} adapts every weight of the network in its inner loop, but a Backbone runs its TorchSharp module with the module's own parameters " +
                "(only a head runs with adapted weights). Use an algorithm that adapts only a head (anil, protonet, r2d2 or FineTuning), or convert the " +
                "module with FunctionalModel.FromModule if it is built from the modules that conversion supports.",
                nameof(model));
        }
    }

    public static Tensor SingleInput(IReadOnlyList<Tensor> inputs, string model) => inputs.Count == 1
        ? inputs[0]
        : throw new ArgumentException($"{model} reads one input tensor but the episode has {inputs.Count} modalities; use a fusion model (LateFusion, FeatureFusion) for several.", nameof(inputs));

    /// <summary>
    /// Checks a fusion model's forward arguments (non-null, one weight per parameter, inputs on the model's device) and
    /// splits the inputs into the <paramref name="modalities"/> modalities and the optional missing-modality mask.
    /// </summary>
    public static (IReadOnlyList<Tensor> Modalities, Tensor? Mask) ModalityInputs(IFunctionalModel model, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, int modalities, string name)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(weights);
        var split = Tasks.ModalityMask.Split(inputs, modalities, name);
        Weights(model, weights);
        Devices(model, inputs);
        return split;
    }
}
