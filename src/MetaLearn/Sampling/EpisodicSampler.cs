using MathNet.Numerics;
using MathNet.Numerics.Random;
using MetaLearn.Datasets;
using MetaLearn.Tasks;
using static TorchSharp.torch;

namespace MetaLearn.Sampling;

/// <summary>
/// Draws N-way K-shot classification episodes with Q queries per class from a <see cref="LabeledDataset"/>:
/// N classes without replacement, then K + Q distinct examples of each, labelled 0..N-1 in the order the classes
/// were drawn. Support rows are class-major (<c>ways * shots</c> rows: class 0's shots, then class 1's, ...),
/// and so are query rows (<c>ways * queries</c>).
/// </summary>
/// <remarks>
/// <para>
/// Rotations (<see cref="EpisodicSamplerOptions.Rotations"/>) create classes without copying data: eligible class
/// <c>b</c> and rotation <c>r</c> form class <c>b * R + r</c>, whose examples are class <c>b</c>'s turned
/// counter-clockwise by <c>r</c> degrees over the last two dimensions when the episode is built.
/// </para>
/// <para>
/// <see cref="Sample"/> is a pure function of its seed (a local Xoshiro256** generator) and only reads the data
/// set, so it is safe on any thread. The sampler does not own the data set: keep it alive while sampling.
/// </para>
/// </remarks>
public sealed class EpisodicSampler : ITaskSampler
{
    private readonly LabeledDataset _dataset;
    private readonly int[] _baseClasses;
    private readonly int[] _rotations;
    private readonly int[] _allClasses;
    private readonly int[][] _groupPools;

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

        var filter = options.ClassFilter ?? (_ => true);
        _baseClasses = Enumerable.Range(0, dataset.Classes.Count).Where(c => filter(dataset.Classes[c])).ToArray();
        int needed = options.Shots + options.Queries;
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

    /// <summary>How many classes episodes are drawn from: eligible data-set classes times rotations.</summary>
    public int ClassCount => _allClasses.Length;

    /// <summary>With <see cref="EpisodicSamplerOptions.SameGroup"/>, how many groups have enough classes to be drawn.</summary>
    public int GroupCount => _groupPools.Length;

    /// <inheritdoc />
    public Episode Sample(int seed)
    {
        var random = new Xoshiro256StarStar(seed, threadSafe: false);
        int[] pool = Options.SameGroup ? _groupPools[random.Next(_groupPools.Length)] : _allClasses;
        int[] chosen = Combinatorics.GenerateVariation(pool.Length, Options.Ways, random).Select(i => pool[i]).ToArray();

        using var scope = NewDisposeScope();
        var support = new Tensor[chosen.Length];
        var query = new Tensor[chosen.Length];
        for (int way = 0; way < chosen.Length; way++)
        {
            int baseClass = _baseClasses[chosen[way] / _rotations.Length];
            int quarterTurns = _rotations[chosen[way] % _rotations.Length] / 90;
            var indices = _dataset.IndicesOf(baseClass);
            long[] picked = Combinatorics.GenerateVariation(indices.Count, Options.Shots + Options.Queries, random)
                .Select(i => (long)indices[i])
                .ToArray();
            support[way] = Gather(picked[..Options.Shots], quarterTurns);
            query[way] = Gather(picked[Options.Shots..], quarterTurns);
        }

        return new Episode(
            cat(support, 0),
            Labels(Options.Ways, Options.Shots),
            cat(query, 0),
            Labels(Options.Ways, Options.Queries),
            new EpisodeInfo(Options.Ways, Options.Shots, Options.Queries, seed));
    }

    private Tensor Gather(long[] indices, int quarterTurns)
    {
        var rows = _dataset.Examples.index_select(0, tensor(indices, ScalarType.Int64, _dataset.Examples.device));
        return quarterTurns == 0 ? rows : rows.rot90(quarterTurns, (-2, -1));
    }

    private static Tensor Labels(int ways, int perClass) => ScalarMath.ClassLabels(ways, perClass);

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
