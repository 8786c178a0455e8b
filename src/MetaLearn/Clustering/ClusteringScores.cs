namespace MetaLearn.Clustering;

/// <summary>Agreement between two labelings of the same points, invariant to renaming the labels.</summary>
internal static class ClusteringScores
{
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>
    /// The adjusted Rand index: the Rand index corrected for chance, 1 for identical partitions, about 0 for random ones,
    /// negative for worse than chance (as scikit-learn's <c>adjusted_rand_score</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The labelings differ in length or are empty.</exception>
    public static double AdjustedRandIndex(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        var (table, rows, columns, n) = Contingency(a, b);
        double index = table.Values.Sum(Pairs);
        double rowPairs = rows.Sum(Pairs);
        double columnPairs = columns.Sum(Pairs);
        double expected = rowPairs * columnPairs / Pairs(n);
        double maximum = (rowPairs + columnPairs) / 2;
        if (maximum == expected)
        {
            // Both partitions are a single cluster, or both all singletons: identical, a perfect match.
            return 1.0;
        }

        return (index - expected) / (maximum - expected);
    }

    /// <summary>
    /// Normalised mutual information with the arithmetic mean of the two entropies as normaliser (scikit-learn's
    /// default <c>normalized_mutual_info_score</c>): 1 for identical partitions, 0 for independent ones.
    /// </summary>
    /// <exception cref="ArgumentException">The labelings differ in length or are empty.</exception>
    public static double NormalizedMutualInformation(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        var (table, rows, columns, n) = Contingency(a, b);
        if (rows.Length == 1 && columns.Length == 1)
        {
            return 1.0;
        }

        double mi = 0;
        foreach (var ((i, j), count) in table)
        {
            mi += count / (double)n * Math.Log(n * (double)count / ((double)rows[i] * columns[j]));
        }

        // As scikit-learn: a mutual information within machine epsilon of 0 cannot be a perfect match.
        if (Math.Abs(mi) < MachineEpsilon)
        {
            return 0.0;
        }

        double normaliser = (Entropy(rows, n) + Entropy(columns, n)) / 2;
        return mi / Math.Max(normaliser, MachineEpsilon);
    }

    private static double Pairs(int count) => count * (count - 1.0) / 2;

    private static double Entropy(int[] counts, int n) => -counts.Where(c => c > 0).Sum(c => c / (double)n * Math.Log(c / (double)n));

    private static (Dictionary<(int, int), int> Table, int[] Rows, int[] Columns, int N) Contingency(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count || a.Count == 0)
        {
            throw new ArgumentException($"Both labelings must label the same, non-zero number of points (got {a.Count} and {b.Count}).", nameof(b));
        }

        var rowIndex = new Dictionary<int, int>();
        var columnIndex = new Dictionary<int, int>();
        var table = new Dictionary<(int, int), int>();
        for (int p = 0; p < a.Count; p++)
        {
            int i = IndexOf(rowIndex, a[p]);
            int j = IndexOf(columnIndex, b[p]);
            table[(i, j)] = table.GetValueOrDefault((i, j)) + 1;
        }

        var rows = new int[rowIndex.Count];
        var columns = new int[columnIndex.Count];
        foreach (var ((i, j), count) in table)
        {
            rows[i] += count;
            columns[j] += count;
        }

        return (table, rows, columns, a.Count);
    }

    private static int IndexOf(Dictionary<int, int> index, int label)
    {
        if (!index.TryGetValue(label, out int i))
        {
            i = index.Count;
            index[label] = i;
        }

        return i;
    }
}
