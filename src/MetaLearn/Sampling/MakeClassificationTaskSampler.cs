using MetaLearn.Datasets;

namespace MetaLearn.Sampling;

/// <summary>
/// Tasks made by <see cref="MakeClassification"/>: every episode is a fresh draw (seeded from the episode seed) split
/// into a class-major N-way K-shot support set and a Q-query set, drawn without replacement per class and relabelled
/// 0..N-1. The "makeclass-maml" benchmark's task distribution by default.
/// </summary>
/// <param name="options">The task distribution (validated here); default <c>MakeClassificationTaskOptions.Workload</c>.</param>
internal sealed class MakeClassificationTaskSampler(MakeClassificationTaskOptions? options = null) : TaskSampler<MakeClassificationTaskOptions>(options ?? MakeClassificationTaskOptions.Workload)
{
    /// <summary>The seed of the <see cref="MakeClassification"/> draw behind episode <paramref name="seed"/>.</summary>
    public static int DataSeed(int seed) => Seeds.Derive(seed, 0, 0);

    /// <summary>The generator options of episode <paramref name="seed"/> (differs from <see cref="MakeClassificationTaskOptions.Generator"/> only when parameters are drawn).</summary>
    public MakeClassificationOptions GeneratorFor(int seed)
    {
        var o = Options;
        if (o.GeneratorDistribution is null && o.ClassSepRange is null)
        {
            return o.Generator;
        }

        var random = SyntheticRandom.Create(Seeds.Derive(seed, 1, 0));
        var generator = o.GeneratorDistribution?.Invoke(random) ?? o.Generator;
        if (o.ClassSepRange is { } range)
        {
            generator = generator with { ClassSep = random.Uniform(range.Min, range.Max) };
        }

        return generator;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Drawn generator options are invalid, or have fewer classes than Ways.</exception>
    /// <exception cref="InvalidOperationException">A chosen class has fewer than Shots + Queries samples in this draw.</exception>
    public override Episode Sample(int seed)
    {
        var o = Options;
        var generator = GeneratorFor(seed);
        if (generator.Classes < o.Ways)
        {
            throw new ArgumentException($"Episode {seed}: the generator has {generator.Classes} classes but Ways is {o.Ways}; draw at least Ways classes.");
        }

        using var data = MakeClassification.Generate(generator, DataSeed(seed));
        var random = SyntheticRandom.Create(Seeds.Derive(seed, 2, 0));
        return EpisodicSampler.Split(data, EpisodicSampler.ChooseClasses(data.Classes.Count, o.Ways, random), o.Shots, o.Queries, random, seed);
    }
}
