namespace MetaLearn.Datasets;

public sealed partial class LabeledDataset
{
    /// <summary>
    /// A new data set holding only the classes of the given groups (for Omniglot: alphabets), with their examples
    /// copied; class ids are renumbered 0..C'-1 in the original order.
    /// </summary>
    /// <returns>A new data set the caller owns; this one is unchanged.</returns>
    /// <exception cref="ArgumentException">A group name is not in <see cref="Groups"/> (the message lists them).</exception>
    public LabeledDataset WhereGroups(params IEnumerable<string> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var wanted = new HashSet<string>(groups, StringComparer.Ordinal);
        var unknown = wanted.Where(g => !_groups.Contains(g, StringComparer.Ordinal)).ToArray();
        if (unknown.Length > 0)
        {
            throw new ArgumentException(
                $"Unknown group(s) {string.Join(", ", unknown.Select(g => $"'{g}'"))}; this data set has {string.Join(", ", _groups)}.",
                nameof(groups));
        }

        return WhereClasses(c => wanted.Contains(c.Group));
    }

    /// <summary>
    /// A new data set without the classes of the given groups; names not present are ignored, so that
    /// <c>small2.ExceptGroups(small1.Groups)</c> keeps exactly the groups small1 lacks.
    /// </summary>
    /// <returns>A new data set the caller owns; this one is unchanged.</returns>
    public LabeledDataset ExceptGroups(params IEnumerable<string> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var dropped = new HashSet<string>(groups, StringComparer.Ordinal);
        return WhereClasses(c => !dropped.Contains(c.Group));
    }

    /// <summary>A new data set holding the classes that satisfy <paramref name="predicate"/>, renumbered 0..C'-1 in the original order.</summary>
    /// <returns>A new data set the caller owns; this one is unchanged.</returns>
    /// <exception cref="ArgumentException">No class satisfies the predicate.</exception>
    public LabeledDataset WhereClasses(Func<LabeledClass, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        int[] kept = Enumerable.Range(0, _classes.Length).Where(c => predicate(_classes[c])).ToArray();
        if (kept.Length == 0)
        {
            throw new ArgumentException("No class satisfies the selection; the result would be empty.", nameof(predicate));
        }

        var indices = new List<long>();
        var labels = new List<int>();
        for (int newId = 0; newId < kept.Length; newId++)
        {
            foreach (int i in _indicesByClass[kept[newId]])
            {
                indices.Add(i);
                labels.Add(newId);
            }
        }

        using var scope = NewDisposeScope();
        using var index = tensor(indices.ToArray(), ScalarType.Int64, Examples.device);
        var examples = Examples.index_select(0, index);
        return new LabeledDataset(examples, labels, kept.Select(c => _classes[c]).ToArray());
    }
}
