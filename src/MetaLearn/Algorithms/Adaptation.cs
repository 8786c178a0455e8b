namespace MetaLearn.Algorithms;

/// <summary>
/// The one adaptation path behind <see cref="IMetaAlgorithm.Adapt"/>: check the support set, bring it to the model's
/// device and dtype, run the algorithm's adaptation with gradients enabled (whatever the caller's grad mode) in
/// adapting passes with a dropout generator of its own, freeze the batch-norm statistics predictions use, and keep
/// detached copies of the result. It reads the learner and writes nothing to it, so calls may run concurrently. And
/// the one path from an episode to its query predictions (<see cref="PredictQuery"/>), which evaluation scores.
/// </summary>
internal static class Adaptation
{
    /// <summary>What an algorithm's adaptation produces: the weights and the algorithm's extras (prototypes, context, ridge head).</summary>
    /// <param name="model">
    /// The model to run: the learner's, or for a <see cref="Backbone"/> a frozen copy of it (whose parameters are the
    /// copy's), which the adapted model keeps.
    /// </param>
    /// <param name="support">The support set, on the model's device and dtype.</param>
    /// <param name="passes">The contexts of the adaptation's support passes.</param>
    public delegate AdaptedState Adapter(IFunctionalModel model, EpisodeSide support, Passes passes);

    /// <summary>
    /// <see cref="IMetaAlgorithm.Adapt"/> to the episode's support set (with its declared kind), then
    /// <see cref="AdaptedModel.Predict(IReadOnlyList{Tensor})"/> on its query inputs: what an app computes.
    /// </summary>
    /// <returns>A detached tensor the caller owns.</returns>
    public static Tensor PredictQuery(IMetaAlgorithm algorithm, Episode episode)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(episode);
        using var adapted = algorithm.Adapt(episode.SupportInputs, episode.SupportTargets, new AdaptationOptions { Kind = episode.Info.Kind });
        return adapted.Predict(episode.QueryInputs);
    }

    /// <param name="model">The model whose weights are adapted.</param>
    /// <param name="inputs">Support inputs, one per modality.</param>
    /// <param name="targets">Support classes or values.</param>
    /// <param name="steps">Inner steps taken (reported by the adapted model).</param>
    /// <param name="classesFromHead">Whether the model's output is one logit per class (checked before adapting).</param>
    /// <param name="loss">The algorithm's loss option (<see cref="Loss.ByTaskKind"/>: the kind's loss); the support loss is reported in it.</param>
    /// <param name="kind">The declared kind of the support targets; null: int64 targets are classification, floating-point ones regression.</param>
    /// <param name="seed">Seed of the adaptation's dropout generator (<see cref="AdaptationOptions.Seed"/>).</param>
    /// <param name="adapt">The algorithm's adaptation.</param>
    public static AdaptedModel Run(IFunctionalModel model, IReadOnlyList<Tensor> inputs, Tensor targets, int steps, bool classesFromHead, Loss loss, TaskKind? kind, long seed, Adapter adapt)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        var taskKind = kind ?? (targets.dtype == ScalarType.Int64 ? TaskKind.Classification : TaskKind.Regression);
        int ways = CheckSupport(inputs, targets, taskKind);

        // A backbone's module never runs here: a frozen copy does, and the adapted model keeps it (see Backbone). Any
        // other model of MetaLearn's is held, so the adapted model runs it after the model's owner disposes it.
        var frozen = (model as Backbone)?.Freeze();
        var held = frozen is null ? HeldModels.Hold(model) : null;
        try
        {
            return Run(frozen ?? model, frozen, held, inputs, targets, steps, classesFromHead, loss, taskKind, ways, seed, adapt);
        }
        catch
        {
            frozen?.Dispose();
            held?.ReleaseHold();
            throw;
        }
    }

    private static AdaptedModel Run(
        IFunctionalModel model, FrozenBackbone? frozen, IHeldModel? held, IReadOnlyList<Tensor> inputs, Tensor targets, int steps, bool classesFromHead, Loss loss, TaskKind taskKind, int ways, long seed, Adapter adapt)
    {
        bool classification = taskKind == TaskKind.Classification;

        // Deployment code often wraps inference in no_grad(); the inner loop needs gradients all the same.
        using var grad = enable_grad();
        using var scope = NewDisposeScope();
        var x = inputs.Select(t => t.is_floating_point() ? t.to(model.DType, model.Device) : t.to(model.Device)).ToArray();
        var y = classification ? targets.to(model.Device) : targets.to(model.DType, model.Device);
        if (classification && classesFromHead)
        {
            // Two rows where there are two: batch norm over a batch of one row of features is undefined. The pass adapts
            // (running statistics are read, not written) and draws no dropout masks.
            using var noGrad = no_grad();
            var rows = x.Select(t => t[..(int)Math.Min(2, t.shape[0])]).ToArray();
            long outputs = model.Forward(rows, model.Parameters, Contexts.Predicting(0) with { Adapting = true }).shape[^1];
            if (outputs < ways)
            {
                throw new ArgumentException(
                    $"The support set has classes up to {ways - 1} but the model predicts {outputs} classes; number the classes 0..{outputs - 1}.",
                    nameof(targets));
            }
        }

        var support = EpisodeSide.Of(x, y, ways, taskKind);
        using var noise = new Generator(unchecked((ulong)seed));
        var state = adapt(model, support, Passes.Adaptation(noise)) with { Frozen = frozen };
        if (state.Statistics is null)
        {
            using var noGrad = no_grad();
            var adapted = state;
            state = state with { Statistics = SupportStatistics.ForPrediction(model, Contexts.Predicting(state.StepsTaken), c => adapted.Output(model, x, c)) };
        }

        var kept = state.Keep();
        try
        {
            using var noGrad = no_grad();
            double supportLoss = support.Loss(kept.Output(model, x), loss).ReadDouble();
            return new AdaptedModel(model, kept, held, steps, supportLoss, taskKind);
        }
        catch
        {
            kept.DisposeTensors();
            throw;
        }
    }

    /// <summary>
    /// Checks the support set's shapes and targets against <paramref name="kind"/>; returns the number of classes (max + 1),
    /// the number of labels for multi-label targets, or 1 for regression.
    /// </summary>
    private static int CheckSupport(IReadOnlyList<Tensor> inputs, Tensor targets, TaskKind kind)
    {
        if (inputs.Count == 0)
        {
            throw new ArgumentException("The support set needs at least one input tensor (one per modality).", nameof(inputs));
        }

        long rows = targets.shape.Length == 0 ? 0 : targets.shape[0];
        if (rows == 0)
        {
            throw new ArgumentException("The support set is empty; give at least one labelled row.", nameof(targets));
        }

        foreach (var input in inputs)
        {
            if (input.dim() == 0 || input.shape[0] != rows)
            {
                throw new ArgumentException(
                    $"The support inputs have shape [{string.Join(", ", input.shape)}] but there are {rows} targets; give one input row per target.", nameof(inputs));
            }
        }

        if (kind != TaskKind.Classification)
        {
            if (!targets.is_floating_point())
            {
                throw new ArgumentException(
                    $"{kind} targets must be floating-point values (got {targets.dtype}); for class labels give int64 classes with AdaptationOptions.Kind null or TaskKind.Classification.",
                    nameof(targets));
            }

            return kind == TaskKind.MultiLabel && targets.dim() >= 2 ? (int)targets.shape[^1] : 1;
        }

        if (targets.dtype != ScalarType.Int64)
        {
            throw new ArgumentException(
                $"Class labels must be int64 (got {targets.dtype}); convert them with .to(ScalarType.Int64), or set AdaptationOptions.Kind for other targets.",
                nameof(targets));
        }

        if (targets.dim() != 1)
        {
            throw new ArgumentException($"Classes must be a 1-D int64 tensor [N] (got shape [{string.Join(", ", targets.shape)}]).", nameof(targets));
        }

        using var scope = NewDisposeScope();
        var classes = targets.cpu().data<long>().ToArray();
        if (classes.Any(c => c < 0))
        {
            throw new ArgumentException($"Class {classes.First(c => c < 0)} is negative; number the classes 0, 1, 2, ...", nameof(targets));
        }

        return (int)classes.Max() + 1;
    }
}
