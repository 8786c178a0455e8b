namespace MetaLearn.Tasks;

/// <summary>
/// What an episode's targets are, declared by whoever makes the episode (every sampler sets it). It picks an algorithm's
/// default loss (see <c>Loss.ByTaskKind</c>) and what targets an episode accepts.
/// </summary>
public enum TaskKind
{
    /// <summary>One class per example: int64 labels 0..Ways-1, shape [N]; the default loss is cross-entropy.</summary>
    Classification,

    /// <summary>Floating-point values shaped like the model's output (e.g. [N, 1]); the default loss is the mean squared error.</summary>
    Regression,

    /// <summary>
    /// Several independent yes/no labels per example: floating-point 0/1 (or soft) values [N, Ways], Ways being the number
    /// of labels; the default loss is binary cross-entropy on logits.
    /// </summary>
    MultiLabel,
}
