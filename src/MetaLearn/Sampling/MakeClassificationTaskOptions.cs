using MetaLearn.Datasets;
namespace MetaLearn.Sampling;

/// <summary>
/// Options of <see cref="MakeClassificationTaskSampler"/>. The defaults are the benchmark workload "makeclass-maml"
/// (<see cref="Workload"/>): a fresh <c>make_classification(n_samples=200, n_features=20, n_informative=2,
/// n_redundant=10, n_classes=3, n_clusters_per_class=1, class_sep=1.0, flip_y=0.01)</c> per task, 3-way,
/// 5 support and 15 query examples per class.
/// Ways: classes per episode; when the generator has more, each episode picks this many at random. Defaults: 3 ways (at least 1), 5 shots, 15 queries.
/// </summary>
public sealed record MakeClassificationTaskOptions() : ClassificationTaskOptions(ways: 3, shots: 5, queries: 15, minimumWays: 1)
{
    private readonly MakeClassificationOptions _generator = WorkloadGenerator;
    private readonly (double Min, double Max)? _classSepRange;

    /// <summary>The generator of the benchmark workload "makeclass-maml".</summary>
    public static MakeClassificationOptions WorkloadGenerator { get; } = new()
    {
        Samples = 200,
        Features = 20,
        Informative = 2,
        Redundant = 10,
        Classes = 3,
        ClustersPerClass = 1,
        ClassSep = 1.0,
        FlipY = 0.01,
    };

    /// <summary>The benchmark workload "makeclass-maml" (equal to the defaults).</summary>
    public static MakeClassificationTaskOptions Workload { get; } = new();

    /// <summary>The data set every task draws afresh. <value>Default <see cref="WorkloadGenerator"/>.</value></summary>
    public MakeClassificationOptions Generator
    {
        get => _generator;
        init => _generator = value ?? throw new ArgumentNullException(nameof(Generator), "Give generator options, e.g. MakeClassificationTaskOptions.WorkloadGenerator.");
    }

    /// <summary>
    /// If set, each task draws its <see cref="MakeClassificationOptions.ClassSep"/> uniformly from [Min, Max], varying
    /// task difficulty. <value>Default null: the generator's ClassSep. Both ends greater than 0, Min &lt;= Max.</value>
    /// </summary>
    public (double Min, double Max)? ClassSepRange
    {
        get => _classSepRange;
        init => _classSepRange = OptionChecks.Valid(value, value is null || (value.Value.Min > 0 && value.Value.Min <= value.Value.Max && double.IsFinite(value.Value.Max)), nameof(ClassSepRange), "ClassSepRange needs 0 < Min <= Max, both finite.");
    }

    /// <summary>
    /// If set, draws each task's generator options from the task's random source (applied before
    /// <see cref="ClassSepRange"/>); it must be a pure function of that source. Options it returns are validated per task.
    /// <value>Default null: every task uses <see cref="Generator"/>.</value>
    /// </summary>
    public Func<Random, MakeClassificationOptions>? GeneratorDistribution { get; init; }

    /// <summary>
    /// Checks the rules across properties for the fixed <see cref="Generator"/>: its own rules, Ways at most its
    /// classes, and enough samples per class (before label replacement) for Shots + Queries.
    /// </summary>
    /// <exception cref="ArgumentException">A rule is broken; the message says what to change.</exception>
    public override void Validate()
    {
        Generator.Validate();
        if (GeneratorDistribution is not null)
        {
            return;
        }

        if (Ways > Generator.Classes)
        {
            throw new ArgumentException($"Ways ({Ways}) exceeds the generator's Classes ({Generator.Classes}): lower Ways or raise Generator.Classes.");
        }

        int[] perCluster = MakeClassification.SamplesPerCluster(Generator);
        for (int c = 0; c < Generator.Classes; c++)
        {
            int count = 0;
            for (int k = c; k < perCluster.Length; k += Generator.Classes)
            {
                count += perCluster[k];
            }

            if (count < (long)Shots + Queries)
            {
                throw new ArgumentException(
                    $"Class {c} gets {count} of the generator's {Generator.Samples} samples but Shots ({Shots}) + Queries ({Queries}) = {(long)Shots + Queries} " +
                    "are needed per class: raise Generator.Samples (or that class's weight), or lower Shots or Queries.");
            }
        }
    }
}
