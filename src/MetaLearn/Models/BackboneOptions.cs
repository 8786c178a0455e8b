namespace MetaLearn.Models;

/// <summary>Options of <see cref="Backbone"/>.</summary>
public sealed record BackboneOptions
{
    /// <summary>
    /// Outputs of a linear head on the module's features, run functionally (what ANIL adapts); 0 for none, when the
    /// algorithm brings its own head (Prototypical Networks, R2D2, fine-tuning).
    /// </summary>
    /// <value>Default 0. Zero or more.</value>
    public int Ways { get => field; init => field = OptionChecks.AtLeast(value, 0, nameof(Ways), "Use 0 for no head, or the number of classes of the head."); }

    /// <summary>
    /// How many features the module outputs per example (after flattening), which the head's weight needs; checked on
    /// the first pass. Only read when <see cref="Ways"/> is positive.
    /// </summary>
    /// <value>Default 0 (no head). At least 1 with a head.</value>
    public int Features { get => field; init => field = OptionChecks.AtLeast(value, 0, nameof(Features), "Give the number of features the module outputs per example."); }

    /// <summary>Seed of the head's initial values (uniform in ±1/sqrt(<see cref="Features"/>), as TorchSharp's Linear). <value>Default 0.</value></summary>
    public int Seed { get; init; }
}
