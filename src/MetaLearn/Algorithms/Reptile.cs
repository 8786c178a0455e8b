using MetaLearn.Models;
using MetaLearn.Tasks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MetaLearn.Algorithms;

/// <summary>
/// Reptile (Nichol et al., 2018): adapt to each task with plain SGD, then move the initialisation towards the adapted
/// weights. The meta-gradient it accumulates is θ − mean(φ_t), so an outer SGD step with learning rate ε is exactly
/// θ ← θ + ε (mean(φ_t) − θ); any other outer optimizer uses it as a direction.
/// </summary>
public sealed class Reptile : IMetaAlgorithm
{
    private readonly InnerLoop _inner;
    private readonly InnerLoopOptions _innerOptions;

    /// <summary>Creates Reptile over <paramref name="model"/> (not owned).</summary>
    public Reptile(IFunctionalModel model, ReptileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Options = options ?? new ReptileOptions();
        _innerOptions = new InnerLoopOptions { Steps = Options.InnerSteps, StepSize = Options.InnerStepSize, FirstOrder = true };
        _inner = new InnerLoop(model, _innerOptions, headOnly: false, learnedStepSizes: null);
    }

    /// <inheritdoc />
    public string Name => "reptile";

    /// <inheritdoc />
    public IFunctionalModel Model { get; }

    /// <summary>The options.</summary>
    public ReptileOptions Options { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> MetaParameters => Model.Parameters;

    /// <inheritdoc />
    public MetaBatchResult AccumulateMetaGradient(IReadOnlyList<Episode> episodes, int iteration) =>
        MetaBatchRunner.Run(episodes, Model, Options.TaskBatching, Step);

    /// <inheritdoc />
    public MetaBatchResult AccumulateMetaGradient(EpisodeBatch batch, int iteration) =>
        MetaBatchRunner.Run(batch, Model, Options.TaskBatching, Step);

    /// <inheritdoc />
    public Tensor PredictQuery(Episode episode) => MetaBatchRunner.Predict(episode, Model, (support, query) =>
    {
        var adapted = _inner.Adapt(support, Model.Parameters, createGraph: false);
        using var noGrad = no_grad();
        return Model.Forward(query.Inputs, adapted, new ForwardContext(_innerOptions.Steps, false));
    });

    /// <inheritdoc />
    public AdaptedModel Adapt(IReadOnlyList<Tensor> supportInputs, Tensor supportTargets, AdaptationOptions? options = null)
    {
        var innerOptions = _innerOptions with { Steps = options?.Steps ?? _innerOptions.Steps, StepSize = options?.StepSize ?? _innerOptions.StepSize };
        var inner = new InnerLoop(Model, innerOptions, headOnly: false, learnedStepSizes: null);
        return Adaptation.Run(Model, supportInputs, supportTargets, innerOptions.Steps, classesFromHead: true, support => (inner.Adapt(support, Model.Parameters, createGraph: false), null));
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private (Tensor Loss, Tensor? Accuracy) Step(EpisodeSide support, EpisodeSide query, int tasks)
    {
        var adapted = _inner.Adapt(support, support.InitialWeights(Model.Parameters), createGraph: false).Select(w => w.detach()).ToArray();

        // d/dθ of Σ_t ½‖θ − φ_t‖² / T is θ − mean_t φ_t: the Reptile direction, accumulated like any gradient.
        Tensor? pull = null;
        for (int i = 0; i < adapted.Length; i++)
        {
            var p = Model.Parameters[i];
            var term = (support.TaskBatched ? p.unsqueeze(0) - adapted[i] : p - adapted[i]).square().sum().Times(0.5 / tasks);
            pull = pull is null ? term : pull + term;
        }

        pull!.backward();
        using var noGrad = no_grad();
        var prediction = Model.Forward(query.Inputs, adapted, new ForwardContext(_innerOptions.Steps, query.TaskBatched));
        var loss = TaskLoss.PerTask(prediction, query.Targets, query.TaskBatched);
        var accuracy = query.IsClassification ? TaskLoss.Accuracy(prediction, query.Targets, query.TaskBatched) : null;
        return (loss, accuracy);
    }
}
