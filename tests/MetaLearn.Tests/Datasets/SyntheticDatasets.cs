using MetaLearn.Datasets;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Datasets;

/// <summary>Small in-memory data sets whose pixel values say which example they are.</summary>
internal static class SyntheticDatasets
{
    /// <summary>Side of the synthetic images.</summary>
    public const int Side = 3;

    /// <summary>
    /// Builds a data set of <c>[N, 1, 3, 3]</c> images where example <c>g</c> has pixel (y, x) = <c>100 g + 10 y + x</c>,
    /// so the example id survives any rotation as <c>min / 100</c>. Classes are listed group by group.
    /// </summary>
    public static LabeledDataset Build(params (string Group, int Classes, int ExamplesPerClass)[] groups)
    {
        var classes = new List<LabeledClass>();
        var labels = new List<int>();
        foreach (var (group, count, perClass) in groups)
        {
            for (int c = 0; c < count; c++)
            {
                labels.AddRange(Enumerable.Repeat(classes.Count, perClass));
                classes.Add(new LabeledClass($"class{c:00}", group));
            }
        }

        var values = new float[labels.Count * Side * Side];
        for (int g = 0; g < labels.Count; g++)
        {
            for (int y = 0; y < Side; y++)
            {
                for (int x = 0; x < Side; x++)
                {
                    values[(g * Side * Side) + (y * Side) + x] = (100 * g) + (10 * y) + x;
                }
            }
        }

        return new LabeledDataset(tensor(values, new long[] { labels.Count, 1, Side, Side }), labels, classes);
    }

    /// <summary>The example id each row of <paramref name="images"/> came from.</summary>
    public static int[] ExampleIds(Tensor images) =>
        images.flatten(1).amin(1).data<float>().Select(v => (int)(v / 100)).ToArray();

    /// <summary>Example <paramref name="g"/>'s 3x3 pixels turned counter-clockwise by <paramref name="quarterTurns"/>.</summary>
    public static float[,] Rotated(int g, int quarterTurns)
    {
        var image = new float[Side, Side];
        for (int y = 0; y < Side; y++)
        {
            for (int x = 0; x < Side; x++)
            {
                image[y, x] = (100 * g) + (10 * y) + x;
            }
        }

        for (int t = 0; t < quarterTurns; t++)
        {
            // Counter-clockwise: out[i, j] = in[j, W - 1 - i].
            var turned = new float[Side, Side];
            for (int i = 0; i < Side; i++)
            {
                for (int j = 0; j < Side; j++)
                {
                    turned[i, j] = image[j, Side - 1 - i];
                }
            }

            image = turned;
        }

        return image;
    }
}
