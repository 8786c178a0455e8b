using MathNet.Numerics;
using MathNet.Numerics.Random;
using MetaLearn.Datasets;

namespace MetaLearn.Sampling;

/// <summary>
/// The sampler behind <see cref="TaskSamplers.Episodes"/>: N-way K-shot classification episodes with Q queries per
/// class from a <see cref="LabeledDataset"/> (the public docs of the episodes are there), and the one N-way K-shot
/// split the synthetic classification samplers share.
/// </summary>
internal sealed class EpisodicSampler : ITaskSampler
{
    private readonly LabeledDataset _dataset;
    private readonly int[] _baseClasses;
    private readonly int[] _rotations;
    private readonly int[] _allClasses;
    private readonly int[][] _groupPools;
    private readonly ImageAugmentation? _augmentation;

    /// <summary>Prepares a sampler, checking once that every episode can be drawn.</summary>
    /// <exception cref="ArgumentException">
    /// An eligible class has fewer than Shots + Queries examples; fewer than Ways classes are eligible; with
    /// <see cref="EpisodicSamplerOptions.SameGroup"/>, no group has Ways classes; or rotations are asked of examples
    /// that are not square images.
    /// </exception>
    public EpisodicSampler(LabeledDataset dataset, EpisodicSamplerOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        _dataset = dataset;
        Options = options;
        _rotations = options.Rotations.ToArray();
        CheckRotatable(dataset.ExampleShape, _rotations);
        if (options.Augmentation is { IsIdentity: false } && dataset.ExampleShape.Length != 3)
        {
            throw new ArgumentException(
                $"Augmentation distorts images [channels, height, width]; these examples have shape [{string.Join(", ", dataset.ExampleShape)}]. Leave Augmentation null.",
                nameof(options));
        }

        _augmentation = options.Augmentation is { IsIdentity: false } a ? a : null;

        _baseClasses = options.EligibleClasses(dataset);
        long needed = (long)options.Shots + options.Queries;
        foreach (int c in _baseClasses)
        {
            int count = dataset.IndicesOf(c).Count;
            if (count < needed)
            {
                throw new ArgumentException(
                    $"Class '{dataset.Classes[c].FullName}' (id {c}) has {count} example(s) but each episode needs Shots + Queries = {needed}; " +
                    "lower Shots or Queries, or leave the class out with ClassFilter.",
                    nameof(dataset));
            }
        }

        int r = _rotations.Length;
        _allClasses = Enumerable.Range(0, _baseClasses.Length * r).ToArray();
        if (_allClasses.Length < options.Ways)
        {
            throw new ArgumentException(
                $"Only {_allClasses.Length} class(es) are eligible ({_baseClasses.Length} after the filter, times {r} rotation(s)) " +
                $"but Ways = {options.Ways}; lower Ways, add rotations, or widen ClassFilter.",
                nameof(options));
        }

        var pools = Enumerable.Range(0, _baseClasses.Length)
            .GroupBy(b => dataset.Classes[_baseClasses[b]].Group, StringComparer.Ordinal)
            .Select(g => (Group: g.Key, Classes: g.SelectMany(b => Enumerable.Range(b * r, r)).ToArray()))
            .ToArray();
        _groupPools = pools.Where(p => p.Classes.Length >= options.Ways).Select(p => p.Classes).ToArray();
        if (options.SameGroup && _groupPools.Length == 0)
        {
            var largest = pools.MaxBy(p => p.Classes.Length);
            throw new ArgumentException(
                $"No group has Ways = {options.Ways} eligible classes; the largest, '{largest.Group}', has {largest.Classes.Length} " +
                $"(rotations included). Lower Ways, add rotations, or turn SameGroup off.",
                nameof(options));
        }
    }

    /// <summary>The options this sampler draws with.</summary>
    public EpisodicSamplerOptions Options { get; }

    /// <summary>How many classes episodes are drawn from: eligible data-set classes times rotations (<see cref="EpisodicSamplerOptions.CountClasses"/>).</summary>
    public int ClassCount => _allClasses.Length;

    /// <summary>With <see cref="EpisodicSamplerOptions.SameGroup"/>, how many groups have enough classes to be drawn.</summary>
    public int GroupCount => _groupPools.Length;

    /// <inheritdoc />
    public Episode Sample(int seed)
    {
        _dataset.ThrowIfDisposed();
        var random = new Xoshiro256StarStar(seed, threadSafe: false);
        int[] pool = Options.SameGroup ? _groupPools[random.Next(_groupPools.Length)] : _allClasses;
        int[] chosen = Combinatorics.GenerateVariation(pool.Length, Options.Ways, random).Select(i => pool[i]).ToArray();
        int[] baseClasses = chosen.Select(c => _baseClasses[c / _rotations.Length]).ToArray();
        return Split(_dataset, baseClasses, Options.Shots, Options.Queries, random, seed, (rows, way) =>
        {
            int quarterTurns = _rotations[chosen[way] % _rotations.Length] / 90;
            var turned = quarterTurns == 0 ? rows : rows.rot90(quarterTurns, (-2, -1));
            return _augmentation is null ? turned : _augmentation.Apply(turned, random);
        }, Options.DatasetLabels ? chosen : null, ClassCount);
    }

    /// <summary>
    /// The one N-way K-shot split: class <c>classes[w]</c> of <paramref name="data"/> becomes label <c>w</c>, and
    /// <paramref name="shots"/> + <paramref name="queries"/> distinct examples of it are drawn from
    /// <paramref name="random"/>, the first <paramref name="shots"/> for the support set. Both sets are class-major,
    /// float32.
    /// </summary>
    /// <param name="data">The data set (read only).</param>
    /// <param name="classes">The data-set class of each way.</param>
    /// <param name="shots">Support examples per class.</param>
    /// <param name="queries">Query examples per class.</param>
    /// <param name="random">The source of the example draws.</param>
    /// <param name="seed">The episode's seed, recorded in its <see cref="EpisodeInfo"/>.</param>
    /// <param name="transform">Applied to each way's gathered examples (e.g. a rotation); null keeps them.</param>
    /// <param name="labels">The label of each way; null labels way w with w.</param>
    /// <param name="labelCount">The number of labels when <paramref name="labels"/> are given (the episode's declared ways).</param>
    /// <returns>A new episode the caller owns.</returns>
    /// <exception cref="InvalidOperationException">A chosen class has fewer than shots + queries examples.</exception>
    internal static Episode Split(
        LabeledDataset data, IReadOnlyList<int> classes, int shots, int queries, Random random, int seed, Func<Tensor, int, Tensor>? transform = null,
        IReadOnlyList<int>? labels = null, int labelCount = 0)
    {
        int ways = classes.Count;
        int perClass = shots + queries;
        var supportRows = new long[ways * shots];
        var queryRows = new long[ways * queries];
        for (int way = 0; way < ways; way++)
        {
            var members = data.IndicesOf(classes[way]);
            if (members.Count < perClass)
            {
                throw new InvalidOperationException(
                    $"Episode {seed}: class '{data.Classes[classes[way]].FullName}' has {members.Count} example(s) but {shots} shots + {queries} queries need {perClass}. " +
                    "Draw more examples per class, or lower Shots or Queries.");
            }

            int[] picks = Combinatorics.GenerateVariation(members.Count, perClass, random);
            for (int k = 0; k < perClass; k++)
            {
                if (k < shots)
                {
                    supportRows[(way * shots) + k] = members[picks[k]];
                }
                else
                {
                    queryRows[(way * queries) + k - shots] = members[picks[k]];
                }
            }
        }

        using var scope = NewDisposeScope();
        return new Episode(
            Gather(data, supportRows, ways, shots, transform),
            Labels(ways, shots, labels),
            Gather(data, queryRows, ways, queries, transform),
            Labels(ways, queries, labels),
            new EpisodeInfo(labels is null ? ways : labelCount, shots, queries, seed, TaskKind.Classification));
    }

    /// <summary>
    /// The classes of a freshly generated data set that a synthetic episode uses: all of them in order when the data
    /// has exactly <paramref name="ways"/> classes, else a random subset in increasing class order.
    /// </summary>
    internal static int[] ChooseClasses(int classes, int ways, Random random)
    {
        if (classes == ways)
        {
            return Enumerable.Range(0, ways).ToArray();
        }

        int[] chosen = Combinatorics.GenerateVariation(classes, ways, random);
        Array.Sort(chosen);
        return chosen;
    }

    private static Tensor Gather(LabeledDataset data, long[] rows, int ways, int perClass, Func<Tensor, int, Tensor>? transform)
    {
        var examples = data.Examples;
        var gathered = examples.index_select(0, tensor(rows, ScalarType.Int64, examples.device)).to(ScalarType.Float32);
        if (transform is null)
        {
            return gathered;
        }

        var parts = new Tensor[ways];
        for (int way = 0; way < ways; way++)
        {
            parts[way] = transform(gathered.narrow(0, way * perClass, perClass), way);
        }

        return cat(parts, 0);
    }

    private static Tensor Labels(int ways, int perClass, IReadOnlyList<int>? labels)
    {
        if (labels is null)
        {
            return ScalarMath.ClassLabels(ways, perClass);
        }

        var values = new long[(long)ways * perClass];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = labels[i / perClass];
        }

        return tensor(values);
    }

    private static void CheckRotatable(long[] exampleShape, int[] rotations)
    {
        if (rotations.All(r => r == 0))
        {
            return;
        }

        if (exampleShape.Length < 2)
        {
            throw new ArgumentException(
                $"Rotations need examples with at least two (image) dimensions; these have shape [{string.Join(", ", exampleShape)}]. Use Rotations = [0].",
                nameof(rotations));
        }

        if (rotations.Any(r => r is 90 or 270) && exampleShape[^1] != exampleShape[^2])
        {
            throw new ArgumentException(
                $"Rotations by 90 or 270 degrees need square images; these are {exampleShape[^2]}x{exampleShape[^1]}. Use Rotations = [0, 180].",
                nameof(rotations));
        }
    }
}
