using MathNet.Numerics.LinearAlgebra;
using MetaLearn.Sampling;

namespace MetaLearn.Clustering;

/// <summary>
/// Meta-clustering: cluster the points of a new, unlabelled task with k-means in an embedding that was meta-learned on
/// labelled tasks (for instance with <see cref="Algorithms.PrototypicalNetworks"/>, whose training objective
/// pulls each class around its mean, which is what k-means looks for).
/// </summary>
public static class MetaClustering
{
    /// <summary>Clusters <paramref name="points"/> [N, ...] with k-means, in <paramref name="embedding"/>'s space when given, else on the raw inputs.</summary>
    /// <param name="embedding">The embedding network (run with its own parameters), or null for the raw inputs.</param>
    /// <param name="points">The task's points; not disposed.</param>
    /// <param name="options">k-means options (the number of clusters among them).</param>
    public static KMeansResult Cluster(IFunctionalModel? embedding, Tensor points, KMeansOptions options)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(options);
        return KMeans.Fit(Embed(embedding, new[] { points }), options);
    }

    /// <summary>
    /// Clusters examples given as several inputs (one tensor per modality, optionally followed by the missing-modality
    /// mask, see <see cref="Sampling.ModalityOptions.MissingRate"/>) with k-means: in <paramref name="embedding"/>'s space (for instance a fusion
    /// model's fused embedding) when given, else on the inputs flattened and concatenated.
    /// </summary>
    /// <param name="embedding">The embedding network (run with its own parameters), or null for the raw inputs.</param>
    /// <param name="inputs">The task's inputs, each [N, ...]; not disposed.</param>
    /// <param name="options">k-means options (the number of clusters among them).</param>
    /// <exception cref="ArgumentException">Raw inputs (no embedding) contain NaN, as missing modalities do; use a fusion embedding, which reads the mask.</exception>
    public static KMeansResult Cluster(IFunctionalModel? embedding, IReadOnlyList<Tensor> inputs, KMeansOptions options)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(options);
        return KMeans.Fit(Embed(embedding, inputs), options);
    }

    /// <summary>
    /// Scores clustering of the query sets of <paramref name="episodes"/> tasks (labels hidden from k-means, used only to
    /// score) by adjusted Rand index and normalised mutual information, in the embedding or on raw inputs. Multimodal
    /// tasks pass all their inputs to the embedding (a fusion model), or concatenate them when there is none.
    /// </summary>
    /// <param name="embedding">The embedding network, or null for the raw inputs.</param>
    /// <param name="tasks">Where tasks come from; each episode's query set is the unlabelled task.</param>
    /// <param name="episodes">How many tasks; at least 2.</param>
    /// <param name="seed">Root seed of the tasks and of k-means.</param>
    /// <param name="options">k-means options; null uses k = the episode's ways.</param>
    public static MetaClusteringResult Evaluate(IFunctionalModel? embedding, ITaskSampler tasks, int episodes, int seed, KMeansOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentOutOfRangeException.ThrowIfLessThan(episodes, 2);
        var ari = new double[episodes];
        var nmi = new double[episodes];
        for (int i = 0; i < episodes; i++)
        {
            using var episode = tasks.Sample(Seeds.Derive(seed, 11, i));
            var kmeans = options ?? new KMeansOptions { Clusters = episode.Info.Ways, Seed = Seeds.Derive(seed, 12, i) };
            int[] truth;
            using (NewDisposeScope())
            {
                truth = episode.QueryTargets.to(ScalarType.Int64).data<long>().Select(v => (int)v).ToArray();
            }

            var found = Cluster(embedding, episode.QueryInputs, kmeans).Labels;
            ari[i] = ClusteringScores.AdjustedRandIndex(truth, found);
            nmi[i] = ClusteringScores.NormalizedMutualInformation(truth, found);
        }

        var (meanAri, ariCi) = Evaluation.Evaluator.MeanWithConfidence(ari);
        var (meanNmi, nmiCi) = Evaluation.Evaluator.MeanWithConfidence(nmi);
        return new MetaClusteringResult(episodes, meanAri, ariCi, meanNmi, nmiCi);
    }

    private static Matrix<double> Embed(IFunctionalModel? embedding, IReadOnlyList<Tensor> inputs)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var features = embedding is null
            ? cat(inputs.Select(x => x.flatten(1).to(ScalarType.Float64)).ToArray(), 1)
            : embedding.Forward(inputs.Select(x => x.to(embedding.DType, embedding.Device)).ToArray(), embedding.Parameters, default).flatten(1);
        if (embedding is null && features.isnan().any().item<bool>())
        {
            throw new ArgumentException("The raw inputs contain NaN (missing modalities); cluster in a fusion model's embedding, which reads the missing-modality mask.", nameof(inputs));
        }

        var cpu = features.to(ScalarType.Float64).cpu().contiguous();
        int rows = (int)cpu.shape[0];
        int cols = (int)cpu.shape[1];
        var values = cpu.data<double>().ToArray();
        return Matrix<double>.Build.Dense(rows, cols, (r, c) => values[(r * cols) + c]);
    }
}
