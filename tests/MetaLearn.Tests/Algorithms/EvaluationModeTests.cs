using MetaLearn.Algorithms;
using MetaLearn.Evaluation;
using MetaLearn.Models;
using MetaLearn.Tasks;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

/// <summary>
/// Predictions run in evaluation mode, adaptation steps in training mode as adapting passes (no running-statistics
/// updates, dropout from the call's own generator); MAML++ scores the query after step s with step s's context.
/// </summary>
public sealed class EvaluationModeTests
{
    [Fact]
    public void AdaptedModel_ConvertedModelWithDropout_PredictsDeterministically_AndAdaptationMasksComeFromItsSeed()
    {
        using var net = nn.Sequential(
            ("fc1", nn.Linear(4, 32, dtype: ScalarType.Float64)), ("relu", nn.ReLU()), ("drop", nn.Dropout(0.5)), ("head", nn.Linear(32, 3, dtype: ScalarType.Float64)));
        using var model = FunctionalModel.FromModule(net);
        using var episode = TestEpisodes.Gaussian(2);
        using var maml = new Maml(model, new InnerLoopOptions { Steps = 2, StepSize = 0.1 });
        using var adapted = maml.Adapt(episode.SupportInput, episode.SupportTargets);
        using var scope = NewDisposeScope();
        var query = episode.QueryInput.to(ScalarType.Float64);
        var first = adapted.Predict(query);
        var second = adapted.Predict(query);
        TestEpisodes.Flatten(new[] { second }).Should().Equal(TestEpisodes.Flatten(new[] { first }));

        using (no_grad())
        {
            var evaluation = model.Forward(new[] { query }, adapted.Weights, new ForwardContext(1, false) { Training = false });
            var training = model.Forward(new[] { query }, adapted.Weights, new ForwardContext(1, false));
            TestEpisodes.Flatten(new[] { evaluation }).Should().Equal(TestEpisodes.Flatten(new[] { first }));
            Models.ModuleConversionTests.MaxAbs(training, first).Should().BeGreaterThan(1e-3, "a training-mode forward drops half the hidden units");
        }

        double scoreA = Evaluator.Score(maml, episode).Loss;
        double scoreB = Evaluator.Score(maml, episode).Loss;
        double.IsFinite(scoreA).Should().BeTrue();
        scoreB.Should().Be(scoreA, "each adaptation draws its dropout masks from a generator of its own, seeded with AdaptationOptions.Seed");

        using var again = maml.Adapt(episode.SupportInput, episode.SupportTargets);
        using var otherSeed = maml.Adapt(episode.SupportInput, episode.SupportTargets, new AdaptationOptions { Seed = 1 });
        TestEpisodes.Flatten(again.Weights).Should().Equal(TestEpisodes.Flatten(adapted.Weights));
        TestEpisodes.Flatten(otherSeed.Weights).Should().NotEqual(TestEpisodes.Flatten(adapted.Weights), "the inner steps still drop units, with other masks for another seed");
    }

    [Theory]
    [InlineData("maml")]
    [InlineData("metasgd")]
    [InlineData("anil")]
    [InlineData("reptile")]
    [InlineData("imaml")]
    [InlineData("cavia")]
    [InlineData("protonet")]
    [InlineData("r2d2")]
    public void PredictQuery_AdaptsInTrainingMode_AndPredictsInEvaluationMode(string name)
    {
        int features = name == "cavia" ? 4 + new CaviaOptions().ContextSize : 4;
        using var inner = new Mlp(new MlpOptions { LayerSizes = new[] { features, 8, 3 }, Seed = 1, DType = ScalarType.Float64 });
        using var model = new RecordingModel(inner);
        using var episode = TestEpisodes.Gaussian(3);
        using var algorithm = TestAlgorithms.Create(name, model, steps: 2, stepSize: 0.1);
        using var scope = NewDisposeScope();
        algorithm.PredictQuery(episode);

        model.Contexts.Should().NotBeEmpty();
        model.Contexts[^1].Training.Should().BeFalse("the query prediction runs in evaluation mode");
        model.Contexts[^1].Adapting.Should().BeFalse();
        bool adapts = name is not ("protonet" or "r2d2");
        var training = model.Contexts.Where(c => c.Training).ToArray();
        // iMAML also evaluates its proximal objective where its last step lands (a step that would raise it is not taken).
        int passes = name == "imaml" ? 3 : adapts ? 2 : 0;
        training.Should().HaveCount(passes, adapts ? "two inner steps run in training mode" : "the support embedding runs without dropout");
        foreach (var c in training)
        {
            c.Adapting.Should().BeTrue("adaptation never updates running statistics");
            c.Noise.Should().NotBeNull("adaptation draws dropout masks from its own generator");
        }
    }

    [Fact]
    public void MultiStepLoss_QueryAfterStepS_UsesStepSsContext()
    {
        using var inner = TestEpisodes.TinyRegressor();
        using var model = new RecordingModel(inner);
        using var episode = TestEpisodes.Sine(8);
        using var maml = new Maml(model, new InnerLoopOptions { Steps = 3, StepSize = 0.05, MultiStepLossIterations = 10, TaskBatching = false });

        maml.AccumulateMetaGradient(new[] { episode }, 0);
        model.Contexts.Select(c => c.Step).Should().Equal(new[] { 0, 0, 1, 1, 2, 2 }, "support pass of step s, then the query after step s with step s's batch-norm set");
        model.Contexts.Should().AllSatisfy(c => c.Training.Should().BeTrue());

        model.Contexts.Clear();
        maml.AccumulateMetaGradient(new[] { episode }, 10);
        model.Contexts.Select(c => c.Step).Should().Equal(new[] { 0, 1, 2, 2 }, "after the annealing only the final query is scored, with the last step's set");

        model.Contexts.Clear();
        maml.PredictQuery(episode);
        model.Contexts.Where(c => c.Training).Select(c => c.Step).Should().Equal(new[] { 0, 1, 2 }, "the three inner steps");
        model.Contexts[^1].Step.Should().Be(2, "the query prediction uses the last step's context");
    }

    [Theory]
    [InlineData(BatchNormStatistics.Support)]
    [InlineData(BatchNormStatistics.Running)]
    [InlineData(BatchNormStatistics.Transductive)]
    public void MultiStepLoss_Conv4PerStepBatchNorm_QueryLossAfterStepSUsesSetS(BatchNormStatistics statistics)
    {
        const int steps = 2;
        using var model = new Conv4(new Conv4Options
        {
            InputChannels = 1, ImageSize = 8, Blocks = 2, Channels = 4, Ways = 2, BatchNormSets = steps, BatchNormStatistics = statistics, DType = ScalarType.Float64, Seed = 3,
        });
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var episode = new Episode(randn(4, 1, 8, 8, dtype: ScalarType.Float64), tensor(new long[] { 0, 1, 0, 1 }),
            randn(4, 1, 8, 8, dtype: ScalarType.Float64), tensor(new long[] { 1, 0, 1, 0 }), new EpisodeInfo(2, 2, 2, 0, TaskKind.Classification));
        var options = new InnerLoopOptions { Steps = steps, StepSize = 0.1, MultiStepLossIterations = 10, TaskBatching = false };
        using var maml = new Maml(model, options);
        double reported = maml.AccumulateMetaGradient(new[] { episode }, 0).MeanQueryLoss;
        double[] analytic = TestEpisodes.Grads(model.Parameters);

        // The MAML++ objective by hand: step s's support pass and the query after it both use set s; in Support mode the
        // query is normalised with the statistics of the support set under the weights after step s.
        double[] weights = MultiStepLossSchedule.Weights(steps, 0, 10);
        Tensor[] fast = model.Parameters.ToArray<Tensor>();
        Tensor objective = zeros(1, dtype: ScalarType.Float64);
        double finalLoss = 0;
        using var lr = 0.1.ToScalar();
        for (int s = 0; s < steps; s++)
        {
            var loss = nn.functional.cross_entropy(model.Forward(new[] { episode.SupportInput }, fast, new ForwardContext(s)), episode.SupportTargets);
            var grads = autograd.grad(new[] { loss }, fast, retain_graph: true, create_graph: true, allow_unused: true);
            fast = fast.Zip(grads).Select(p => p.Second.IsInvalid ? p.First : p.First - (p.Second * lr)).ToArray();
            var query = new ForwardContext(s);
            if (statistics == BatchNormStatistics.Support)
            {
                var collector = NormStatistics.Collector(copiesRunning: false);
                model.Forward(new[] { episode.SupportInput }, fast, query with { Statistics = collector });
                query = query with { Statistics = collector.Applying() };
            }

            var queryLoss = nn.functional.cross_entropy(model.Forward(new[] { episode.QueryInput }, fast, query), episode.QueryTargets);
            objective = objective + (queryLoss * tensor(weights[s], dtype: ScalarType.Float64));
            finalLoss = queryLoss.ToDouble();
        }

        var expected = TestEpisodes.Flatten(autograd.grad(new[] { objective.sum() }, model.Parameters.ToArray<Tensor>(), allow_unused: true)
            .Select((g, i) => g.IsInvalid ? zeros_like(model.Parameters[i]) : g));
        reported.Should().BeApproximately(finalLoss, 1e-12);
        TestEpisodes.MaxRelativeError(analytic, expected).Should().BeLessThan(1e-10);
    }
}
