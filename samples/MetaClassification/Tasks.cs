
namespace MetaClassification;

/// <summary>What <c>adapt</c> and <c>evaluate</c> share: column checks and class probabilities over the support's classes.</summary>
internal static class Tasks
{
    /// <summary>Checks that the CSV files have the learner's feature count and the same feature columns.</summary>
    /// <exception cref="ArgumentException">A file's columns differ, naming the file.</exception>
    public static void CheckColumns(Learner learner, CsvTable support, CsvTable rows)
    {
        if (learner.Metadata.TryGetValue("features", out string? text) && int.TryParse(text, out int features) && support.FeatureNames.Count != features)
        {
            throw new ArgumentException($"{support.Path} has {support.FeatureNames.Count} feature columns but the learner was trained on {features}.");
        }

        if (!rows.FeatureNames.SequenceEqual(support.FeatureNames))
        {
            throw new ArgumentException(
                $"{rows.Path} has feature columns {string.Join(",", rows.FeatureNames)} but {support.Path} has {string.Join(",", support.FeatureNames)}; use the same columns in the same order.");
        }
    }

    /// <summary>
    /// Class probabilities over the support set's <paramref name="classes"/> classes: the softmax of the first
    /// <paramref name="classes"/> logits (a head trained for more ways keeps only the classes the support set has).
    /// </summary>
    public static double[,] Probabilities(AdaptedModel adapted, float[,] rows, int classes)
    {
        var logits = adapted.PredictValues(rows);
        if (logits.GetLength(1) < classes)
        {
            throw new ArgumentException($"The support set has {classes} classes but the learner predicts {logits.GetLength(1)}.");
        }

        int n = logits.GetLength(0);
        var result = new double[n, classes];
        for (int i = 0; i < n; i++)
        {
            double max = Enumerable.Range(0, classes).Max(c => (double)logits[i, c]);
            double sum = Enumerable.Range(0, classes).Sum(c => Math.Exp(logits[i, c] - max));
            for (int c = 0; c < classes; c++)
            {
                result[i, c] = Math.Exp(logits[i, c] - max) / sum;
            }
        }

        return result;
    }
}
