using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Algorithms;

/// <summary>
/// Prototypical Networks (Snell et al., 2017): embed the support set, take each class's mean embedding as its
/// prototype, and classify a query by minus its squared Euclidean distance to each prototype. The model is an
/// embedding network (e.g. <see cref="Conv4"/> with no head); there is no inner loop. Support and query go through the
/// network in separate passes, in training as in <see cref="Adapt"/>, and batch norm normalises as the model says
/// (<see cref="BatchNormStatistics"/>: by default the query with the support set's statistics; the paper's code embeds
/// support and query in one pass, normalising over both, which an adapted model could not do). The loss (<see cref="Loss"/>) is applied to the logits −‖q − c_k‖²: the default is the
/// paper's cross-entropy (softmax over negative distances); <see cref="Algorithms.Loss.CrossEntropy"/> with label
/// smoothing or a <see cref="Algorithms.Loss.Custom"/> loss on those logits can replace it. Losses on values (mean
/// squared error, L1, Huber, binary cross-entropy) do not apply to distances to prototypes and are refused.
/// </summary>
public sealed class PrototypicalNetworks : EpisodicLearner
{
    /// <summary>Creates ProtoNets over the embedding network <paramref name="model"/> (not owned).</summary>
    /// <param name="model">The embedding network.</param>
    /// <param name="taskBatching">Whether episodes of equal shapes embed as one task-batched computation.</param>
    /// <param name="loss">The loss on the distance logits; null (or <see cref="Loss.ByTaskKind"/>) is cross-entropy.</param>
    /// <exception cref="ArgumentException"><paramref name="loss"/> is a loss on values, which does not apply to prototypes.</exception>
    public PrototypicalNetworks(IFunctionalModel model, bool taskBatching = true, Loss? loss = null)
        : base("protonet", model, taskBatching, batchOnlyEqualWays: true)
    {
        loss ??= Loss.ByTaskKind;
        if (!loss.TakesClassLabels)
        {
            throw new ArgumentException(
                $"Prototypical Networks score classes by their distance to prototypes, so the loss must take class labels (Loss.CrossEntropy(), " +
                $"with label smoothing if wanted, or a Loss.Custom on the logits); '{loss.Name}' compares values.", nameof(loss));
        }

        TaskBatching = taskBatching;
        Loss = loss;
    }

    /// <summary>Whether episodes of equal shapes run task-batched.</summary>
    public bool TaskBatching { get; }

    /// <summary>The loss on the distance logits (<see cref="Loss.ByTaskKind"/>: cross-entropy).</summary>
    public Loss Loss { get; }

    /// <summary>Minus the squared Euclidean distance from each query embedding to each class mean of the support embeddings.</summary>
    /// <param name="support">Support embeddings [N, D] (or [T, N, D]).</param>
    /// <param name="supportLabels">Support labels 0..ways-1 [N] (or [T, N]).</param>
    /// <param name="query">Query embeddings [M, D] (or [T, M, D]).</param>
    /// <param name="ways">Number of classes.</param>
    /// <returns>Logits [M, ways] (or [T, M, ways]), owned by the caller.</returns>
    /// <exception cref="ArgumentException">A class has no support example (its prototype would be undefined).</exception>
    public static Tensor Logits(Tensor support, Tensor supportLabels, Tensor query, int ways)
    {
        ArgumentNullException.ThrowIfNull(support);
        ArgumentNullException.ThrowIfNull(supportLabels);
        ArgumentNullException.ThrowIfNull(query);
        CheckEveryClassHasSupport(supportLabels, ways, nameof(supportLabels));
        return LogitsOfCheckedLabels(support, supportLabels, query, ways);
    }

    /// <summary>
    /// Throws when a class in 0..<paramref name="ways"/>-1 has no example in <paramref name="labels"/> ([N], or [T, N]
    /// for a task-batched side), naming the missing classes (and, task-batched, the first task that misses one).
    /// </summary>
    /// <param name="labels">The support labels.</param>
    /// <param name="ways">The number of classes.</param>
    /// <param name="parameterName">The argument the labels came in, named by the exception.</param>
    internal static void CheckEveryClassHasSupport(Tensor labels, int ways, string parameterName)
    {
        using var scope = NewDisposeScope();
        bool batched = labels.dim() == 2;
        var rows = batched ? labels : labels.unsqueeze(0);
        var counts = F.one_hot(rows, ways).sum(1).cpu().data<long>().ToArray();
        int first = Array.IndexOf(counts, 0L);
        if (first < 0)
        {
            return;
        }

        int task = first / ways;
        var missing = Enumerable.Range(0, ways).Where(c => counts[(task * ways) + c] == 0).ToArray();
        string classes = missing.Length == 1 ? $"Class {missing[0]}" : $"Classes {string.Join(", ", missing)}";
        string where = batched ? $" of task {task} in the meta-batch" : string.Empty;
        string have = missing.Length == 1 ? "has no support example, so it has no prototype" : "have no support example, so they have no prototype";
        throw new ArgumentException(
            $"{classes}{where} {have}; every class 0..{ways - 1} needs at least one support example (check the sampler's shots and the support labels).",
            parameterName);
    }

    /// <summary>Each class's mean embedding: the prototypes [ways, D] (or [T, ways, D]).</summary>
    /// <param name="oneHot">One-hot labels [N, ways] (or [T, N, ways]) in the embedding's dtype; every class has a row.</param>
    /// <param name="embedding">Embeddings [N, D] (or [T, N, D]).</param>
    /// <returns>A tensor in the current dispose scope.</returns>
    internal static Tensor ClassMeans(Tensor oneHot, Tensor embedding) =>
        oneHot.transpose(-1, -2).matmul(embedding) / oneHot.sum(-2).unsqueeze(-1);

    /// <summary>Minus the squared Euclidean distance from each row of <paramref name="query"/> [M, D] to each prototype [ways, D]: [M, ways] (or batched along a leading task dimension).</summary>
    /// <returns>A tensor in the current dispose scope.</returns>
    internal static Tensor NegativeSquaredDistances(Tensor query, Tensor prototypes) =>
        (query.unsqueeze(-2) - prototypes.unsqueeze(-3)).Squared().sum(-1).neg();

    private static Tensor LogitsOfCheckedLabels(Tensor support, Tensor supportLabels, Tensor query, int ways)
    {
        using var scope = NewDisposeScope();
        var prototypes = ClassMeans(F.one_hot(supportLabels, ways).to(support.dtype), support);
        return NegativeSquaredDistances(query, prototypes).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    /// <remarks>Prototypical Networks take no gradient steps: the adapted model holds the class prototypes of the support set.</remarks>
    public override AdaptedModel Adapt(IReadOnlyList<Tensor> supportInputs, Tensor supportTargets, AdaptationOptions? options = null)
    {
        ThrowIfDisposed();
        if (options?.Steps is not null || options?.StepSize is not null)
        {
            throw new ArgumentException("Prototypical Networks take no gradient steps; leave AdaptationOptions.Steps and StepSize null.", nameof(options));
        }

        ArgumentNullException.ThrowIfNull(supportTargets);
        if (supportTargets.dtype != ScalarType.Int64)
        {
            throw new ArgumentException("Prototypical Networks classify: give int64 classes, not regression values.", nameof(supportTargets));
        }

        return Adaptation.Run(Model, supportInputs, supportTargets, 0, classesFromHead: false, Loss, TaskKind.Classification, options?.Seed ?? 0, (model, support, _) =>
        {
            CheckEveryClassHasSupport(support.Targets, support.Ways, nameof(supportTargets));
            // The support embedding adapts (dropout off; batch norm with the support's statistics) and collects what predictions normalise with.
            var (embedding, statistics) = SupportStatistics.Collect(model, Contexts.Predicting(0) with { Adapting = true }, prediction: true,
                c => model.Forward(support.Inputs, model.Parameters, c));
            var prototypes = ClassMeans(F.one_hot(support.Targets, support.Ways).to(embedding.dtype), embedding);
            return new AdaptedState(model.Parameters) { Prototypes = prototypes, Statistics = statistics };
        });
    }

    /// <summary>
    /// Embeds <paramref name="inputs"/> with the model's own parameters in evaluation mode (dropout off; batch norm with
    /// running statistics uses them, one without normalises over these inputs); the caller owns the result.
    /// </summary>
    public Tensor Embed(IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Model.Forward(inputs, Model.Parameters, Contexts.Predicting(0));
    }

    private protected override MetaBatchRunner.TaskStep StepAt(int iteration) => Step;

    private (Tensor Losses, Tensor? Accuracies) Step(EpisodeSide support, EpisodeSide query, int tasks)
    {
        var logits = QueryLogits(support, query);
        var losses = query.Loss(logits, Loss);
        losses.sum().Times(1.0 / tasks).backward();
        return (losses.detach(), TaskLoss.Accuracy(logits.detach(), query.Targets, query.TaskBatched));
    }

    /// <summary>Embeds the support set (collecting its statistics), then the query (normalised with them), and scores the query.</summary>
    private Tensor QueryLogits(EpisodeSide support, EpisodeSide query)
    {
        if (!support.IsClassification)
        {
            throw new ArgumentException($"Prototypical Networks classify: they need a TaskKind.Classification episode with int64 labels (got TaskKind.{support.Kind}).");
        }

        CheckEveryClassHasSupport(support.Targets, support.Ways, "episodes");
        if (Model is Backbone backbone)
        {
            var (supportFeatures, queryFeatures) = BackboneFeatures.Embed(backbone, support, query);
            return LogitsOfCheckedLabels(supportFeatures, support.Targets, queryFeatures, support.Ways);
        }

        var weights = support.InitialWeights(Model.Parameters);
        var context = new ForwardContext(0, support.TaskBatched);
        var (supportEmbedding, statistics) = SupportStatistics.Collect(Model, context, prediction: false, c => Model.Forward(support.Inputs, weights, c));
        var queryEmbedding = Model.Forward(query.Inputs, weights, context with { Statistics = statistics });
        return LogitsOfCheckedLabels(supportEmbedding, support.Targets, queryEmbedding, support.Ways);
    }
}
