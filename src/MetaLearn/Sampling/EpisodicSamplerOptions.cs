using MetaLearn.Datasets;

namespace MetaLearn.Sampling;

/// <summary>What <see cref="TaskSamplers.Episodes"/> draws: N ways, K shots and Q queries per class, from which classes. Defaults: 5 ways (at least 1), 1 shot, 15 queries.</summary>
public sealed record EpisodicSamplerOptions() : ClassificationTaskOptions(ways: 5, shots: 1, queries: 15, minimumWays: 1)
{
    /// <summary>The right-angle rotations Omniglot training uses to quadruple its classes: 0, 90, 180 and 270 degrees.</summary>
    public static IReadOnlyList<int> AllRightAngles { get; } = [0, 90, 180, 270];

    /// <summary>Which classes of the data set may be drawn; all when null.</summary>
    /// <value>Default null.</value>
    public Func<LabeledClass, bool>? ClassFilter { get; init; }

    /// <summary>
    /// Whether all N classes of an episode come from one group (for Omniglot, one alphabet, as in Lake et al.'s
    /// within-alphabet runs). The group is drawn uniformly among groups with at least N (rotated) classes.
    /// </summary>
    /// <value>Default false.</value>
    public bool SameGroup { get; init; }

    /// <summary>
    /// Whether each example is labelled with its class's index among all <see cref="CountClasses"/> classes
    /// the sampler draws from (rotated classes included; the episode then declares that many ways), instead of 0..Ways−1
    /// in the order the classes were drawn: batches for supervised pre-training over all training classes
    /// (<see cref="Algorithms.FineTuning"/>).
    /// </summary>
    /// <value>Default false.</value>
    public bool DatasetLabels { get; init; }

    /// <summary>
    /// A random affine distortion of every drawn image (<c>[C, H, W]</c> examples), e.g. for training episodes; null
    /// for none. It is drawn from the episode's seed after the examples are chosen, so the same examples are drawn with
    /// or without it.
    /// </summary>
    /// <value>Default null.</value>
    public ImageAugmentation? Augmentation { get; init; }

    /// <summary>
    /// Counter-clockwise rotations, in degrees, each of which turns every class into a new class: class <c>k</c>
    /// rotated by <c>r</c> is a class of its own (Santoro et al., 2016; Finn et al., 2017 on Omniglot).
    /// <c>[0]</c> means no augmentation; <see cref="AllRightAngles"/> quadruples the classes.
    /// </summary>
    /// <value>Default <c>[0]</c>. Distinct values from {0, 90, 180, 270}, at least one.</value>
    public IReadOnlyList<int> Rotations
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(Rotations));
            if (value.Count == 0 || value.Any(r => r is not (0 or 90 or 180 or 270)) || value.Distinct().Count() != value.Count)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(Rotations),
                    $"[{string.Join(", ", value)}]",
                    "Rotations must be distinct right angles from {0, 90, 180, 270}; use [0] for no rotation.");
            }

            field = value.ToArray();
        }
    } = [0];

    /// <summary>
    /// How many classes episodes with these options are drawn from <paramref name="dataset"/>: the classes
    /// <see cref="ClassFilter"/> keeps times the number of <see cref="Rotations"/>. With <see cref="DatasetLabels"/>,
    /// examples are labelled 0 to this count − 1, so it is the <see cref="Algorithms.FineTuningOptions.Classes"/> of
    /// pre-training on these batches.
    /// </summary>
    /// <param name="dataset">The data set the episodes are drawn from.</param>
    /// <returns>The number of (rotated) classes an episode's classes are drawn from.</returns>
    public int CountClasses(LabeledDataset dataset) => EligibleClasses(dataset).Length * Rotations.Count;

    /// <summary>The data-set classes <see cref="ClassFilter"/> keeps, in class-id order.</summary>
    internal int[] EligibleClasses(LabeledDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var filter = ClassFilter ?? (_ => true);
        return Enumerable.Range(0, dataset.Classes.Count).Where(c => filter(dataset.Classes[c])).ToArray();
    }
}
