using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;

namespace MetaLearn.Sampling;

/// <summary>
/// Multimodal N-way K-shot classification tasks: every example has one input per modality, but in each task only one
/// modality (drawn per task) carries the class; the others are noise. A model must find, per task, which modality to
/// trust, which is what fusion weights adapted in the inner loop can do. Episodes have one input tensor per modality.
/// </summary>
/// <param name="options">The task distribution (validated here); default <c>new MultimodalTaskOptions()</c>.</param>
internal sealed class MultimodalTaskSampler(MultimodalTaskOptions? options = null) : TaskSampler<MultimodalTaskOptions>(options ?? new MultimodalTaskOptions())
{
    /// <summary>The modality that carries the class in the task of <paramref name="seed"/>.</summary>
    public int InformativeModality(int seed) => new Xoshiro256StarStar(seed).Next(Options.ModalityFeatures.Count);

    /// <inheritdoc />
    public override Episode Sample(int seed)
    {
        var o = Options;
        var random = new Xoshiro256StarStar(seed);
        int informative = random.Next(o.ModalityFeatures.Count);
        var normal = new Normal(0, 1, random);
        int modalities = o.ModalityFeatures.Count;
        var means = new double[o.ModalityFeatures[informative] * o.Ways];
        for (int i = 0; i < means.Length; i++)
        {
            means[i] = o.Separation * normal.Sample();
        }

        (float[][] Inputs, long[] Labels) Draw(int perClass)
        {
            int n = o.Ways * perClass;
            var inputs = new float[modalities][];
            var labels = new long[n];
            for (int m = 0; m < modalities; m++)
            {
                int f = o.ModalityFeatures[m];
                inputs[m] = new float[n * f];
                for (int row = 0; row < n; row++)
                {
                    int c = row / perClass;
                    labels[row] = c;
                    for (int j = 0; j < f; j++)
                    {
                        double mean = m == informative ? means[(c * f) + j] : 0;
                        inputs[m][(row * f) + j] = (float)(mean + normal.Sample());
                    }
                }
            }

            return (inputs, labels);
        }

        var support = Draw(o.Shots);
        var query = Draw(o.Queries);
        using var scope = NewDisposeScope();
        Tensor[] ToTensors(float[][] inputs, int n) =>
            inputs.Select((x, m) => tensor(x, new long[] { n, o.ModalityFeatures[m] })).ToArray();
        return new Episode(
            ToTensors(support.Inputs, support.Labels.Length),
            tensor(support.Labels),
            ToTensors(query.Inputs, query.Labels.Length),
            tensor(query.Labels),
            new EpisodeInfo(o.Ways, o.Shots, o.Queries, seed, TaskKind.Classification));
    }
}
