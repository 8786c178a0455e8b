using TorchSharp.Modules;

namespace MetaLearn.Algorithms;

/// <summary>
/// The fine-tuning baseline that few-shot learning must beat (Chen et al., 2019, "A Closer Look at Few-shot
/// Classification": Baseline and Baseline++; Tian et al., 2020, "Rethinking Few-Shot Image Classification"):
/// supervised pre-training of the embedding network with a linear or cosine classifier over all training classes, then,
/// per task, a new classifier of the same kind fitted on the support set's embeddings while the embedding stays frozen.
/// </summary>
/// <remarks>
/// <para><b>Pre-training</b> is meta-training with this algorithm: <c>MetaTrainer</c> over batches labelled with the
/// training set's classes (<see cref="Sampling.TaskSamplers.Episodes"/> with <see cref="Sampling.EpisodicSamplerOptions.DatasetLabels"/>:
/// each batch holds Ways classes with Shots + Queries examples each, labelled with their index among all
/// <see cref="FineTuningOptions.Classes"/> classes), so pre-training has the trainer's seeds, checkpoints, resume,
/// validation (few-shot episodes, scored through <see cref="Adapt"/>) and progress. Every support and query example of
/// a batch is a training example of the cross-entropy over all classes; the reported loss and accuracy are the query's.
/// The classifier's weights (and bias) are meta-parameters of this algorithm.</para>
/// <para><b>Adaptation</b> embeds the support set (evaluation mode, batch norm as the model says; a <see cref="Backbone"/>'s
/// frozen copy) and fits a new classifier by <see cref="FineTuningOptions.Steps"/> full-batch Adam steps on the
/// cross-entropy, starting from zero (linear) or from the normalised class means (cosine), so it is deterministic and
/// changes nothing in the algorithm. The model is an embedding network: no head (<c>Conv4Options.Ways = 0</c>, a backbone
/// without head); the same model may go on to meta-training with another algorithm (e.g. Prototypical Networks).</para>
/// </remarks>
public sealed class FineTuning : EpisodicLearner
{
    private readonly Parameter? _weight;
    private readonly Parameter? _bias;
    private readonly Parameter[] _metaParameters;
    private readonly Tensor? _scale;

    /// <summary>Creates the baseline over the embedding network <paramref name="model"/> (not owned).</summary>
    /// <exception cref="ArgumentException">Pre-training classes are given without <see cref="FineTuningOptions.Features"/>.</exception>
    public FineTuning(IFunctionalModel model, FineTuningOptions? options = null)
        : base("finetune", model, (options ?? new FineTuningOptions()).TaskBatching)
    {
        Options = options ?? new FineTuningOptions();
        if (Options.Classes > 0 && Options.Features < 1)
        {
            throw new ArgumentException("Pre-training (FineTuningOptions.Classes > 0) needs FineTuningOptions.Features, the number of features the model outputs per example.", nameof(options));
        }

        if (Options.Classes > 0)
        {
            double bound = 1.0 / Math.Sqrt(Options.Features);
            using var generator = new Generator((ulong)Options.Seed);
            _weight = Uniform(new long[] { Options.Classes, Options.Features }, bound, generator, model);
            _bias = Options.Head == FineTuningHead.Linear ? Uniform(new long[] { Options.Classes }, bound, generator, model) : null;
            _scale = Options.Head == FineTuningHead.Cosine ? ScalarMath.Filled(Array.Empty<long>(), Options.Scale, model.DType, model.Device).DetachFromDisposeScope() : null;
        }

        _metaParameters = model.Parameters.Concat(new[] { _weight, _bias }.OfType<Parameter>()).ToArray();
    }

    /// <summary>The options.</summary>
    public FineTuningOptions Options { get; }

    /// <inheritdoc />
    /// <value>The model's parameters, then the pre-training classifier's weight (and bias).</value>
    public override IReadOnlyList<Parameter> MetaParameters => _metaParameters;

    /// <summary>The pre-training classifier's parameters by name (<c>classifier.weight</c>, <c>classifier.bias</c>), e.g. for a learner file.</summary>
    internal IReadOnlyList<(string Name, Parameter Value)> ClassifierParameters =>
        new[] { ("classifier.weight", _weight), ("classifier.bias", _bias) }.Where(p => p.Item2 is not null).Select(p => (p.Item1, p.Item2!)).ToArray();

    /// <inheritdoc />
    /// <remarks>
    /// Fits a new classifier on the support embeddings (see the class remarks); <see cref="AdaptationOptions.Steps"/>
    /// and <see cref="AdaptationOptions.StepSize"/> override <see cref="FineTuningOptions.Steps"/> and
    /// <see cref="FineTuningOptions.StepSize"/>. The adapted model exports the classifier as <c>classifier.weight</c>,
    /// <c>classifier.bias</c> (linear) or <c>classifier.scale</c> (cosine).
    /// </remarks>
    public override AdaptedModel Adapt(IReadOnlyList<Tensor> supportInputs, Tensor supportTargets, AdaptationOptions? options = null)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(supportTargets);
        if (options?.Kind is TaskKind kind && kind != TaskKind.Classification)
        {
            throw new ArgumentException($"Fine-tuning fits a classifier: give int64 classes (AdaptationOptions.Kind was TaskKind.{kind}).", nameof(options));
        }

        var fit = Options with { Steps = options?.Steps ?? Options.Steps, StepSize = options?.StepSize ?? Options.StepSize };
        return Adaptation.Run(Model, supportInputs, supportTargets, 0, classesFromHead: false, Loss.CrossEntropy(), TaskKind.Classification, options?.Seed ?? 0, (model, support, _) =>
        {
            var (embedding, statistics) = SupportStatistics.Collect(model, Contexts.Predicting(0) with { Adapting = true }, prediction: true,
                c => model.Forward(support.Inputs, model.Parameters, c));
            var classifier = Classifier.Fit(embedding, support.Targets, support.Ways, fit);
            return new AdaptedState(model.Parameters) { Classifier = classifier, Statistics = statistics };
        });
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _weight?.Dispose();
        _bias?.Dispose();
        _scale?.Dispose();
    }

    private protected override MetaBatchRunner.TaskStep StepAt(int iteration) => Step;

    private static Parameter Uniform(long[] shape, double bound, Generator generator, IFunctionalModel model)
    {
        using var scope = NewDisposeScope();
        var values = empty(shape, dtype: ScalarType.Float64).uniform_(-bound, bound, generator: generator);
        var parameter = new Parameter(values.to(model.DType, model.Device).detach().clone(), requires_grad: true);
        parameter.DetachFromDisposeScope();
        return parameter;
    }

    /// <summary>Pre-training on one batch (or a task-batched stack of them): cross-entropy over all classes on every support and query example.</summary>
    private (Tensor Losses, Tensor? Accuracies) Step(EpisodeSide support, EpisodeSide query, int tasks)
    {
        if (_weight is null)
        {
            throw new InvalidOperationException(
                "This FineTuning algorithm has no pre-training classifier (FineTuningOptions.Classes is 0); give Classes and Features to pre-train, or only Adapt.");
        }

        if (!support.IsClassification || support.Ways != Options.Classes)
        {
            throw new ArgumentException(
                $"Pre-training batches must be labelled with the training set's {Options.Classes} classes (FineTuningOptions.Classes), but this one is a " +
                $"{support.Ways}-way {support.Kind} episode; draw them with EpisodicSamplerOptions.DatasetLabels = true and set Classes to those options' CountClasses(dataset).");
        }

        var (supportFeatures, queryFeatures) = Embed(support, query);
        var classifier = new Classifier(_weight, _bias, _scale, Options.NormalizeFeatures);
        var supportLogits = Logits(classifier, supportFeatures);
        var queryLogits = Logits(classifier, queryFeatures);
        var cross = Loss.CrossEntropy();
        var queryLosses = query.Loss(queryLogits, cross);
        double supportShare = (double)support.Targets.shape[^1] / (support.Targets.shape[^1] + query.Targets.shape[^1]);
        var losses = support.Loss(supportLogits, cross).Times(supportShare).Plus(queryLosses.Times(1 - supportShare));
        losses.sum().Times(1.0 / tasks).backward();
        return (queryLosses.detach(), TaskLoss.Accuracy(queryLogits.detach(), query.Targets, query.TaskBatched));
    }

    /// <summary>The support and query embeddings in one training-mode pass (a backbone's module, or the functional model).</summary>
    private (Tensor Support, Tensor Query) Embed(EpisodeSide support, EpisodeSide query)
    {
        if (Model is Backbone backbone)
        {
            return BackboneFeatures.Embed(backbone, support, query);
        }

        int dim = support.TaskBatched ? 1 : 0;
        var inputs = support.Inputs.Zip(query.Inputs, (s, q) => cat(new[] { s, q }, dim)).ToArray();
        var features = Model.Forward(inputs, support.InitialWeights(Model.Parameters), new ForwardContext(0, support.TaskBatched));
        long n = support.Targets.shape[^1];
        return (features.narrow(dim, 0, n), features.narrow(dim, n, features.shape[dim] - n));
    }

    /// <summary>The classifier's logits for features <c>[N, D]</c> or <c>[T, N, D]</c>, checking their width.</summary>
    private Tensor Logits(Classifier classifier, Tensor features)
    {
        if (features.shape[^1] != Options.Features)
        {
            throw new InvalidOperationException(
                $"The model outputs {features.shape[^1]} features per example but FineTuningOptions.Features is {Options.Features}; set Features = {features.shape[^1]}.");
        }

        return features.dim() == 2 ? classifier.Logits(features) : classifier.Logits(features.flatten(0, 1)).view(features.shape[0], features.shape[1], -1);
    }
}
