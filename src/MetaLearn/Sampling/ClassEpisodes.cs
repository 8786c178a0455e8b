using MathNet.Numerics;
using MetaLearn.Tasks;
using static TorchSharp.torch;
using MetaLearn.Datasets;

namespace MetaLearn.Sampling;

/// <summary>Splits a labelled data set into an N-way K-shot episode; written once for every sampler over a data set.</summary>
internal static class ClassEpisodes
{
    /// <summary>
    /// Picks <paramref name="ways"/> classes (all, in order, when the data has exactly that many; else a random
    /// subset in increasing class order), relabels them 0..ways-1, and draws shots + queries distinct samples per
    /// class, the first <paramref name="shots"/> for the support set. Both sets are class-major.
    /// </summary>
    /// <exception cref="InvalidOperationException">A chosen class has fewer than shots + queries samples.</exception>
    public static Episode Build(LabeledData data, int ways, int shots, int queries, Random random, int seed)
    {
        int f = data.Features;
        int perClass = shots + queries;
        int[] chosen = ChooseClasses(data.Classes, ways, random);
        var support = new float[ways * shots * f];
        var query = new float[ways * queries * f];
        var supportLabels = new long[ways * shots];
        var queryLabels = new long[ways * queries];
        var members = new int[data.Samples];
        var labels = data.LabelSpan;
        var x = data.RowMajor;
        for (int c = 0; c < ways; c++)
        {
            int count = 0;
            for (int i = 0; i < labels.Length; i++)
            {
                if (labels[i] == chosen[c])
                {
                    members[count++] = i;
                }
            }

            if (count < perClass)
            {
                throw new InvalidOperationException(
                    $"Episode {seed}: class {chosen[c]} has {count} samples but {shots} shots + {queries} queries need {perClass}. " +
                    "Draw more samples per task, or lower Shots or Queries.");
            }

            int[] picks = Combinatorics.GenerateVariation(count, perClass, random);
            for (int k = 0; k < perClass; k++)
            {
                var row = x.Slice(members[picks[k]] * f, f);
                bool isSupport = k < shots;
                int index = isSupport ? (c * shots) + k : (c * queries) + k - shots;
                var target = (isSupport ? support : query).AsSpan(index * f, f);
                for (int j = 0; j < f; j++)
                {
                    target[j] = (float)row[j];
                }

                (isSupport ? supportLabels : queryLabels)[index] = c;
            }
        }

        using var scope = NewDisposeScope();
        return new Episode(
            tensor(support, new long[] { ways * shots, f }),
            tensor(supportLabels),
            tensor(query, new long[] { ways * queries, f }),
            tensor(queryLabels),
            new EpisodeInfo(ways, shots, queries, seed));
    }

    private static int[] ChooseClasses(int classes, int ways, Random random)
    {
        if (classes == ways)
        {
            return Enumerable.Range(0, ways).ToArray();
        }

        int[] chosen = Combinatorics.GenerateVariation(classes, ways, random);
        Array.Sort(chosen);
        return chosen;
    }
}
