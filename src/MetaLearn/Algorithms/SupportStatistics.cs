namespace MetaLearn.Algorithms;

/// <summary>
/// The statistics that batch norm in <see cref="BatchNormStatistics.Support"/> mode normalises a query with, and that
/// an adapted model freezes: collected by a pass of the support set through the final weights, in the query's
/// context. A model without such layers (<see cref="IFunctionalModel.UsesBatchNormStatistics"/>) pays no extra pass.
/// </summary>
internal static class SupportStatistics
{
    /// <summary>
    /// The meta-training query pass: the model on <paramref name="queryInputs"/> in <paramref name="context"/>, with
    /// Support-mode batch norm normalising with the statistics of <paramref name="supportInputs"/> under the same weights
    /// (differentiable: the meta-gradient flows through them).
    /// </summary>
    /// <returns>The output, in the current dispose scope.</returns>
    public static Tensor QueryForward(IFunctionalModel model, IReadOnlyList<Tensor> supportInputs, IReadOnlyList<Tensor> queryInputs, IReadOnlyList<Tensor> weights, ForwardContext context)
    {
        var statistics = ForQuery(model, context, c => model.Forward(supportInputs, weights, c));
        return model.Forward(queryInputs, weights, context with { Statistics = statistics });
    }

    /// <summary>
    /// Statistics for a meta-training query pass in <paramref name="context"/>: collected by one more pass,
    /// <paramref name="supportPass"/> (adapting: running statistics stay as they are), when the model has Support-mode
    /// batch norm; none otherwise.
    /// </summary>
    public static NormStatistics ForQuery(IFunctionalModel model, ForwardContext context, Func<ForwardContext, Tensor> supportPass) =>
        Needed(model, prediction: false) ? Collect(model, context with { Adapting = true }, prediction: false, supportPass).Statistics : NormStatistics.Empty;

    /// <summary>
    /// Statistics an adapted model predicts with in <paramref name="context"/>: the support set's under the adapted
    /// weights and copies of the running statistics, collected by one more pass, <paramref name="supportPass"/>
    /// (adapting), when the model has Support- or Running-mode batch norm; none otherwise.
    /// </summary>
    public static NormStatistics ForPrediction(IFunctionalModel model, ForwardContext context, Func<ForwardContext, Tensor> supportPass) =>
        Needed(model, prediction: true) ? Collect(model, context with { Adapting = true }, prediction: true, supportPass).Statistics : NormStatistics.Empty;

    /// <summary>
    /// Runs a support pass in <paramref name="context"/> that also collects the statistics later passes need: for
    /// meta-training's query (<paramref name="prediction"/> false) or for an adapted model's predictions (true: copies of
    /// the running statistics too). For the algorithms whose adaptation is one support pass (Prototypical Networks, R2D2).
    /// </summary>
    /// <returns>The pass's output (in the current dispose scope) and the statistics to apply (empty when the model needs none).</returns>
    public static (Tensor Output, NormStatistics Statistics) Collect(IFunctionalModel model, ForwardContext context, bool prediction, Func<ForwardContext, Tensor> supportPass)
    {
        if (!Needed(model, prediction))
        {
            return (supportPass(context), NormStatistics.Empty);
        }

        var collector = NormStatistics.Collector(copiesRunning: prediction);
        var output = supportPass(context with { Statistics = collector });
        return (output, collector.Applying());
    }

    private static bool Needed(IFunctionalModel model, bool prediction) =>
        model.UsesBatchNormStatistics(BatchNormStatistics.Support) || (prediction && model.UsesBatchNormStatistics(BatchNormStatistics.Running));
}
