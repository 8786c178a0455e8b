namespace MetaLearn.Models;

/// <summary>Conveniences over <see cref="IFunctionalModel"/>.</summary>
internal static class FunctionalModelExtensions
{
    /// <summary>Runs the model with its own parameters on a single-modality input.</summary>
    /// <returns>The output, owned by the caller.</returns>
    public static Tensor Forward(this IFunctionalModel model, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Forward(new[] { input }, model.Parameters, default);
    }

    /// <summary>Copies the values of <paramref name="source"/>'s parameters into <paramref name="target"/>'s (same architecture).</summary>
    /// <exception cref="ArgumentException">The models' parameter lists differ.</exception>
    public static void CopyParametersFrom(this IFunctionalModel target, IFunctionalModel source)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        target.LoadParameterValues(source.Parameters);
    }

    /// <summary>Copies <paramref name="values"/> into the model's parameters, checking names' count and shapes.</summary>
    /// <exception cref="ArgumentException">The count or a shape differs.</exception>
    public static void LoadParameterValues(this IFunctionalModel model, IReadOnlyList<Tensor> values)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != model.Parameters.Count)
        {
            throw new ArgumentException($"Expected {model.Parameters.Count} parameter values, got {values.Count}.", nameof(values));
        }

        using var noGrad = no_grad();
        for (int i = 0; i < values.Count; i++)
        {
            var p = model.Parameters[i];
            if (!p.shape.SequenceEqual(values[i].shape))
            {
                throw new ArgumentException(
                    $"Parameter '{model.ParameterNames[i]}' has shape [{string.Join(", ", p.shape)}] but the value has [{string.Join(", ", values[i].shape)}].",
                    nameof(values));
            }

            p.copy_(values[i]);
        }
    }

    /// <summary>Detached copies of the model's parameter values on the CPU; the caller owns them.</summary>
    public static Tensor[] SnapshotParameters(this IFunctionalModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return model.Parameters.Select(p => p.detach().clone().cpu().DetachFromDisposeScope()).ToArray();
    }
}
