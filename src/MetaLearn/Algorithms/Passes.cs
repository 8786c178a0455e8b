namespace MetaLearn.Algorithms;

/// <summary>
/// The contexts of the support passes of one run of an algorithm's adaptation: in meta-training (the model's own
/// dropout generator, running statistics updated) or in <see cref="IMetaAlgorithm.Adapt"/> (a generator private to the
/// call, running statistics read but never written), so that the same adaptation code serves both.
/// </summary>
internal sealed class Passes
{
    private readonly bool _adapting;
    private readonly Generator? _noise;

    private Passes(bool adapting, Generator? noise)
    {
        _adapting = adapting;
        _noise = noise;
    }

    /// <summary>Meta-training's passes.</summary>
    public static Passes MetaTraining { get; } = new(false, null);

    /// <summary>The passes of one <see cref="IMetaAlgorithm.Adapt"/> call, drawing dropout masks from <paramref name="noise"/>.</summary>
    public static Passes Adaptation(Generator noise) => new(true, noise);

    /// <summary>The training-mode context of inner step <paramref name="step"/> on the support set.</summary>
    public ForwardContext Step(int step, bool taskBatched) => new(step, taskBatched) { Adapting = _adapting, Noise = _noise };
}
