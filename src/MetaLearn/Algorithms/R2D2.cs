using TorchSharp.Modules;
using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Algorithms;

/// <summary>
/// R2D2 (Bertinetto et al., 2019, "Meta-learning with differentiable closed-form solvers"): a ridge-regression head
/// solved in closed form on each task's support embeddings, regressing one-hot labels, W = (XᵀX + λI)⁻¹ XᵀY, written
/// in the Woodbury form W = Xᵀ(XXᵀ + λI)⁻¹Y when there are fewer support examples than features (an N×N solve instead
/// of D×D). Query logits are α · X_query W + β with α, β and λ meta-learned with the embedding; the loss is
/// cross-entropy. Support and query go through the embedding in separate passes, batch norm normalising as for
/// <see cref="PrototypicalNetworks"/>.
/// </summary>
public sealed class R2D2 : EpisodicLearner
{
    private readonly Parameter _logRegularization;
    private readonly Parameter _scale;
    private readonly Parameter? _bias;
    private readonly Parameter[] _metaParameters;

    /// <summary>Creates R2D2 over the embedding network <paramref name="model"/> (not owned).</summary>
    public R2D2(IFunctionalModel model, R2D2Options? options = null)
        : base("r2d2", model, (options ?? new R2D2Options()).TaskBatching, batchOnlyEqualWays: true)
    {
        Options = options ?? new R2D2Options();
        _logRegularization = Scalar(Math.Log(Options.InitialRegularization), model);
        _scale = Scalar(Options.InitialScale, model);
        _bias = Options.LearnBias ? Scalar(0, model) : null;
        _metaParameters = model.Parameters.Append(_logRegularization).Append(_scale).Concat(_bias is null ? Array.Empty<Parameter>() : new[] { _bias }).ToArray();
    }

    /// <summary>The options.</summary>
    public R2D2Options Options { get; }

    /// <summary>The current ridge regularisation λ.</summary>
    public double Regularization => Math.Exp(_logRegularization.ReadDouble());

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> MetaParameters => _metaParameters;

    /// <summary>R2D2's own meta-parameters by name (<c>log_regularization</c>, <c>scale</c>, <c>bias</c> if learned), e.g. for a learner file.</summary>
    internal IReadOnlyList<(string Name, Parameter Value)> HeadParameters =>
        _bias is null
            ? new[] { ("log_regularization", _logRegularization), ("scale", _scale) }
            : new[] { ("log_regularization", _logRegularization), ("scale", _scale), ("bias", _bias) };

    /// <summary>
    /// The ridge-regression weights W minimising ‖XW − Y‖² + λ‖W‖²: (XᵀX + λI)⁻¹XᵀY, computed as Xᵀ(XXᵀ + λI)⁻¹Y when
    /// X has fewer rows than columns. Differentiable in X, Y and λ.
    /// </summary>
    /// <param name="x">Support embeddings [N, D] (or [T, N, D]).</param>
    /// <param name="y">Targets [N, C] (or [T, N, C]), e.g. one-hot labels in X's dtype.</param>
    /// <param name="regularization">λ &gt; 0 as a scalar tensor.</param>
    /// <returns>W [D, C] (or [T, D, C]), owned by the caller.</returns>
    public static Tensor RidgeWeights(Tensor x, Tensor y, Tensor regularization)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(regularization);
        using var scope = NewDisposeScope();
        long n = x.shape[^2];
        long d = x.shape[^1];
        var xt = x.transpose(-1, -2);
        var result = n < d
            ? xt.matmul(linalg.solve(x.matmul(xt).Plus(eye(n, dtype: x.dtype, device: x.device) * regularization), y))
            : linalg.solve(xt.matmul(x).Plus(eye(d, dtype: x.dtype, device: x.device) * regularization), xt.matmul(y));
        return result.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    /// <remarks>
    /// R2D2 takes no gradient steps: the adapted model holds the ridge head solved in closed form on the support
    /// embeddings (dropout off), with copies of the meta-learned λ, scale and bias. Steps and StepSize must stay null.
    /// </remarks>
    public override AdaptedModel Adapt(IReadOnlyList<Tensor> supportInputs, Tensor supportTargets, AdaptationOptions? options = null)
    {
        ThrowIfDisposed();
        if (options?.Steps is not null || options?.StepSize is not null)
        {
            throw new ArgumentException("R2D2 solves its head in closed form and takes no gradient steps; leave AdaptationOptions.Steps and StepSize null.", nameof(options));
        }

        if (options?.Kind is TaskKind kind && kind != TaskKind.Classification)
        {
            throw new ArgumentException($"R2D2 classifies: give int64 classes (AdaptationOptions.Kind was TaskKind.{kind}).", nameof(options));
        }

        return Adaptation.Run(Model, supportInputs, supportTargets, 0, classesFromHead: false, Loss.CrossEntropy(), TaskKind.Classification, options?.Seed ?? 0, (model, support, _) =>
        {
            var (embedding, statistics) = SupportStatistics.Collect(model, Contexts.Predicting(0) with { Adapting = true }, prediction: true,
                c => model.Forward(support.Inputs, model.Parameters, c));
            var targets = F.one_hot(support.Targets, support.Ways).to(embedding.dtype);
            return new AdaptedState(model.Parameters)
            {
                RidgeWeights = RidgeWeights(embedding, targets, _logRegularization.exp()),
                RidgeScale = _scale,
                RidgeBias = _bias,
                Statistics = statistics,
            };
        });
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _logRegularization.Dispose();
        _scale.Dispose();
        _bias?.Dispose();
    }

    private protected override MetaBatchRunner.TaskStep StepAt(int iteration) => Step;

    private static Parameter Scalar(double value, IFunctionalModel model)
    {
        using var scope = NewDisposeScope();
        var parameter = new Parameter(tensor(value, dtype: model.DType, device: model.Device), requires_grad: true);
        parameter.DetachFromDisposeScope();
        return parameter;
    }

    private (Tensor Losses, Tensor? Accuracies) Step(EpisodeSide support, EpisodeSide query, int tasks)
    {
        if (!support.IsClassification)
        {
            throw new ArgumentException($"R2D2 classifies: it needs a TaskKind.Classification episode with int64 labels (got TaskKind.{support.Kind}).");
        }

        var logits = QueryLogits(support, query);
        var losses = query.Loss(logits, Loss.CrossEntropy());
        losses.sum().Times(1.0 / tasks).backward();
        return (losses.detach(), TaskLoss.Accuracy(logits.detach(), query.Targets, query.TaskBatched));
    }

    private Tensor QueryLogits(EpisodeSide support, EpisodeSide query)
    {
        var (supportEmbedding, queryEmbedding) = Model is Backbone backbone ? BackboneFeatures.Embed(backbone, support, query) : Embed(support, query);
        var targets = F.one_hot(support.Targets, support.Ways).to(supportEmbedding.dtype);
        return RidgeLogits(queryEmbedding, RidgeWeights(supportEmbedding, targets, _logRegularization.exp()), _scale, _bias);
    }

    /// <summary>The ridge head's logits α · X W + β (β only when learned).</summary>
    /// <param name="embedding">Embeddings X [M, D] (or [T, M, D]).</param>
    /// <param name="weights">The ridge weights W [D, C] (or [T, D, C]).</param>
    /// <param name="scale">α, a scalar tensor.</param>
    /// <param name="bias">β, a scalar tensor, or null.</param>
    /// <returns>Logits [M, C] (or [T, M, C]) in the current dispose scope.</returns>
    internal static Tensor RidgeLogits(Tensor embedding, Tensor weights, Tensor scale, Tensor? bias)
    {
        var logits = embedding.matmul(weights) * scale;
        return bias is null ? logits : logits.Plus(bias);
    }

    /// <summary>The support embedding (collecting its statistics), then the query's (normalised with them).</summary>
    private (Tensor Support, Tensor Query) Embed(EpisodeSide support, EpisodeSide query)
    {
        var modelWeights = support.InitialWeights(Model.Parameters);
        var context = new ForwardContext(0, support.TaskBatched);
        var (supportEmbedding, statistics) = SupportStatistics.Collect(Model, context, prediction: false, c => Model.Forward(support.Inputs, modelWeights, c));
        return (supportEmbedding, Model.Forward(query.Inputs, modelWeights, context with { Statistics = statistics }));
    }
}
