using MetaLearn.Algorithms;
using MetaLearn.Evaluation;
using MetaLearn.Models;
using MetaLearn.Tasks;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

/// <summary>
/// Adapt never changes the learner, an adapted model holds everything it reads, and evaluation scores exactly what
/// Adapt then Predict computes, for every algorithm over a converted module with batch norm and dropout and over Conv4
/// in each batch-norm mode.
/// </summary>
public sealed class PureAdaptationTests
{
    public static TheoryData<string, string> Cases() => AdaptationCases.All();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Adapt_LeavesParametersBuffersStepSizesAndGeneratorsAsTheyWere(string name, string kind)
    {
        using var model = AdaptationCases.Model(name, kind);
        using var learner = AdaptationCases.Learner(name, model);
        using (var train = AdaptationCases.Episode(kind, 1))
        {
            AdaptationCases.TrainStep(learner, train);
        }

        double[] before = AdaptationCases.State(learner);
        double[] gradients = TestEpisodes.Grads(learner.MetaParameters);
        using var episode = AdaptationCases.Episode(kind, 2);
        using (var adapted = learner.Adapt(episode.SupportInputs, episode.SupportTargets))
        using (adapted.Predict(episode.QueryInputs))
        using (learner.PredictQuery(episode))
        {
            Evaluator.Score(learner, episode);
        }

        AdaptationCases.State(learner).Should().Equal(before, "Adapt, PredictQuery and Score read the learner and write nothing");
        TestEpisodes.Grads(learner.MetaParameters).Should().Equal(gradients);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AdaptedModel_Predictions_DoNotChangeAfterOtherAdaptationsEvaluationOrTraining(string name, string kind)
    {
        using var model = AdaptationCases.Model(name, kind);
        using var learner = AdaptationCases.Learner(name, model);
        using var a = AdaptationCases.Episode(kind, 3);
        using var b = AdaptationCases.Episode(kind, 4);
        using var adaptedA = learner.Adapt(a.SupportInputs, a.SupportTargets);
        double[] first = Probabilities(adaptedA, a);

        using (var adaptedB = learner.Adapt(b.SupportInputs, b.SupportTargets))
        {
            Probabilities(adaptedB, b).Should().NotEqual(first);
        }

        Evaluator.Evaluate(learner, new[] { AdaptationCases.Episode(kind, 5), AdaptationCases.Episode(kind, 6) });
        AdaptationCases.TrainStep(learner, b);

        Probabilities(adaptedA, a).Should().Equal(first, "an adapted model owns its weights, extras and batch-norm statistics");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Adapt_ToAnotherTaskBetweenTwoAdaptationsToA_LeavesAsProbabilitiesUnchanged(string name, string kind)
    {
        using var model = AdaptationCases.Model(name, kind);
        using var learner = AdaptationCases.Learner(name, model);
        using var a = AdaptationCases.Episode(kind, 7);
        using var b = AdaptationCases.Episode(kind, 8);

        double[] first;
        using (var adapted = learner.Adapt(a.SupportInputs, a.SupportTargets))
        {
            first = Probabilities(adapted, a);
        }

        using (learner.Adapt(b.SupportInputs, b.SupportTargets))
        {
        }

        using var again = learner.Adapt(a.SupportInputs, a.SupportTargets);
        Probabilities(again, a).Should().Equal(first);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_ScoresExactlyAdaptThenPredictClasses_WhateverTheEpisodeOrder(string name, string kind)
    {
        using var model = AdaptationCases.Model(name, kind);
        using var learner = AdaptationCases.Learner(name, model);
        int[] seeds = { 11, 12, 13 };

        var result = Evaluator.Evaluate(learner, seeds.Select(s => AdaptationCases.Episode(kind, s)));

        var accuracies = new List<double>();
        var losses = new List<double>();
        foreach (int seed in seeds)
        {
            using var episode = AdaptationCases.Episode(kind, seed);
            using var scope = NewDisposeScope();
            using var adapted = learner.Adapt(episode.SupportInputs, episode.SupportTargets, new AdaptationOptions { Kind = episode.Info.Kind });
            accuracies.Add(adapted.PredictClasses(episode.QueryInput).eq(episode.QueryTargets).to(ScalarType.Float64).mean().ToDouble());
            losses.Add(nn.functional.cross_entropy(adapted.Predict(episode.QueryInput), episode.QueryTargets).ToDouble());
        }

        result.MeanAccuracy.Should().Be(Evaluator.MeanWithConfidence(accuracies).Mean, "evaluation is Adapt, then the adapted model's prediction");
        result.MeanLoss.Should().BeApproximately(Evaluator.MeanWithConfidence(losses).Mean, 1e-12);
        result.Transductive.Should().Be(kind == "conv4-transductive");
        result.ToString().Contains("transductive", StringComparison.Ordinal).Should().Be(result.Transductive);

        using var last = AdaptationCases.Episode(kind, seeds[^1]);
        var alone = Evaluator.Score(learner, last);
        Evaluator.Evaluate(learner, seeds.Reverse().Select(s => AdaptationCases.Episode(kind, s)));
        Evaluator.Score(learner, last).Should().Be(alone, "no episode's score depends on what was evaluated before it");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AdaptedModel_RowsPrediction_DependsOnTheOtherRowsOfTheCallOnlyWhenTransductive(string name, string kind)
    {
        using var model = AdaptationCases.Model(name, kind);
        using var learner = AdaptationCases.Learner(name, model);
        using var episode = AdaptationCases.Episode(kind, 14);
        using var adapted = learner.Adapt(episode.SupportInputs, episode.SupportTargets);
        using var scope = NewDisposeScope();
        var query = episode.QueryInput;

        var together = adapted.Predict(query);
        var oneByOne = cat(Enumerable.Range(0, (int)query.shape[0]).Select(i => adapted.Predict(query[i..(i + 1)])).ToArray(), 0);
        double difference = Models.ModuleConversionTests.MaxAbs(together, oneByOne);

        if (kind == "conv4-transductive")
        {
            difference.Should().BeGreaterThan(1e-3, "transductive batch norm normalises each call over its own rows");
        }
        else
        {
            // Only the rounding of matrix products of other sizes differs (float64).
            difference.Should().BeLessThan(1e-10, "a row is normalised with the frozen statistics whatever else is in the call");
        }
    }

    [Theory]
    [InlineData("maml", "conv4-support")]
    [InlineData("fomaml", "conv4-support")]
    [InlineData("metasgd", "conv4-support")]
    [InlineData("anil", "conv4-support")]
    [InlineData("reptile", "conv4-support")]
    [InlineData("imaml", "conv4-support")]
    [InlineData("protonet", "conv4-support")]
    [InlineData("r2d2", "conv4-support")]
    [InlineData("cavia", "module-support")]
    [InlineData("maml", "module-support")]
    public void AccumulateMetaGradient_SupportMode_QueryLossIsWhatAdaptThenPredictGives(string name, string kind)
    {
        using var model = kind == "module-support" ? SupportModule(name) : AdaptationCases.Model(name, kind);
        using var learner = AdaptationCases.Learner(name, model);
        using var episode = AdaptationCases.Episode(kind == "module-support" ? "module" : kind, 15);

        var (deployedLoss, deployedAccuracy) = Evaluator.Score(learner, episode);
        var trained = learner.AccumulateMetaGradient(new[] { episode }, 0);

        model.UsesBatchNormStatistics(BatchNormStatistics.Support).Should().BeTrue();
        trained.MeanQueryLoss.Should().BeApproximately(deployedLoss, 1e-10, "meta-training optimises the computation an adapted model runs");
        trained.MeanQueryAccuracy.Should().Be(deployedAccuracy);
    }

    /// <summary>A converted module whose only batch norm keeps no running statistics (Support mode), without dropout.</summary>
    private static IFunctionalModel SupportModule(string name)
    {
        int inputs = name == "cavia" ? 4 + new CaviaOptions().ContextSize : 4;
        using var net = nn.Sequential(
            ("fc", nn.Linear(inputs, 12, dtype: ScalarType.Float64)), ("norm", nn.BatchNorm1d(12, track_running_stats: false, dtype: ScalarType.Float64)),
            ("relu", nn.ReLU()), ("head", nn.Linear(12, AdaptationCases.Ways, dtype: ScalarType.Float64)));
        return FunctionalModel.FromModule(net);
    }

    private static double[] Probabilities(AdaptedModel adapted, Episode episode)
    {
        using var probabilities = adapted.PredictProbabilities(episode.QueryInput);
        return TestEpisodes.Flatten(new[] { probabilities });
    }
}
