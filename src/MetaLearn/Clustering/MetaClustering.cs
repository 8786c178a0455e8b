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
    /// <summary>
    /// Clusters <paramref name="points"/> [N, ...] with k-means, in <paramref name="embedding"/>'s space when given, else
    /// on the raw inputs flattened. k-means runs with scikit-learn's <c>KMeans</c> defaults: greedy k-means++ seeding,
    /// 10 starts of which the lowest inertia wins, at most 300 Lloyd iterations per start, tolerance 1e-4 of the mean
    /// per-feature variance on the centers' squared movement.
    /// </summary>
    /// <param name="embedding">The embedding network (run with its own parameters), or null for the raw inputs.</param>
    /// <param name="points">The task's points, one per row of the first dimension; not disposed.</param>
    /// <param name="clusters">The number of clusters k: at least 1, at most the number of points.</param>
    /// <param name="seed">Seed of the k-means++ seeding; the same seed gives the same clusters.</param>
    /// <returns>The cluster of every point, in [0, <paramref name="clusters"/>), in the order of the points (which cluster gets which number is arbitrary).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clusters"/> is less than 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="clusters"/> exceeds the number of points, or <paramref name="points"/> is a scalar.</exception>
    public static int[] Cluster(IFunctionalModel? embedding, Tensor points, int clusters, int seed)
    {
        ArgumentNullException.ThrowIfNull(points);
        return Cluster(embedding, new[] { points }, clusters, seed);
    }

    /// <summary>
    /// Clusters examples given as several inputs (one tensor per modality, optionally followed by the missing-modality
    /// mask, see <see cref="Sampling.ModalityOptions.MissingRate"/>) with k-means: in <paramref name="embedding"/>'s space
    /// (for instance a fusion model's fused embedding) when given, else on the inputs flattened and concatenated. k-means
    /// runs with scikit-learn's defaults, as <see cref="Cluster(IFunctionalModel?, Tensor, int, int)"/> says.
    /// </summary>
    /// <param name="embedding">The embedding network (run with its own parameters), or null for the raw inputs.</param>
    /// <param name="inputs">The task's inputs, each [N, ...]; not disposed.</param>
    /// <param name="clusters">The number of clusters k: at least 1, at most N.</param>
    /// <param name="seed">Seed of the k-means++ seeding; the same seed gives the same clusters.</param>
    /// <returns>The cluster of every example, in [0, <paramref name="clusters"/>), in the order of the examples (which cluster gets which number is arbitrary).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clusters"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="clusters"/> exceeds the number of examples; there are no inputs or the first is a scalar; or raw
    /// inputs (no embedding) contain NaN, as missing modalities do (use a fusion embedding, which reads the mask).
    /// </exception>
    public static int[] Cluster(IFunctionalModel? embedding, IReadOnlyList<Tensor> inputs, int clusters, int seed)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(clusters, 1);
        if (inputs.Count == 0 || inputs[0] is null || inputs[0].dim() == 0)
        {
            throw new ArgumentException("Give the points as at least one tensor [N, ...] with one row per point.", nameof(inputs));
        }

        long count = inputs[0].shape[0];
        if (clusters > count)
        {
            throw new ArgumentException($"{count} point(s) cannot form {clusters} clusters: give at most as many clusters as points.", nameof(clusters));
        }

        return KMeans.Fit(Embed(embedding, inputs), new KMeansOptions { Clusters = clusters, Seed = seed }).Labels.ToArray();
    }

    /// <summary>
    /// Scores clustering of the query sets of <paramref name="episodes"/> tasks (labels hidden from k-means, used only to
    /// score) by adjusted Rand index and normalised mutual information, in the embedding or on raw inputs. Multimodal
    /// tasks pass all their inputs to the embedding (a fusion model), or concatenate them when there is none. Each task
    /// is clustered into as many clusters as it has ways, as <see cref="Cluster(IFunctionalModel?, IReadOnlyList{Tensor}, int, int)"/> does.
    /// </summary>
    /// <param name="embedding">The embedding network, or null for the raw inputs.</param>
    /// <param name="tasks">Where tasks come from; each episode's query set is the unlabelled task.</param>
    /// <param name="episodes">How many tasks; at least 2.</param>
    /// <param name="seed">Root seed of the tasks and of k-means.</param>
    public static MetaClusteringResult Evaluate(IFunctionalModel? embedding, ITaskSampler tasks, int episodes, int seed)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentOutOfRangeException.ThrowIfLessThan(episodes, 2);
        var ari = new double[episodes];
        var nmi = new double[episodes];
        for (int i = 0; i < episodes; i++)
        {
            using var episode = tasks.Sample(Seeds.Derive(seed, 11, i));
            int[] truth;
            using (NewDisposeScope())
            {
                truth = episode.QueryTargets.to(ScalarType.Int64).data<long>().Select(v => (int)v).ToArray();
            }

            int[] found = Cluster(embedding, episode.QueryInputs, episode.Info.Ways, Seeds.Derive(seed, 12, i));
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
