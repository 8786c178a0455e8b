using MetaLearn.Algorithms;
using MetaLearn.Evaluation;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;

namespace MetaLearn.Tests.Algorithms;

/// <summary>
/// Every algorithm, created by name with its own defaults, meta-trains on the sine and make_classification samplers
/// for seeds 0 to 4 without a non-finite loss and lowers the mean query loss on fresh tasks. ProtoNets and R2D2
/// classify (they embed and compare classes), so they run on make_classification only.
/// </summary>
public sealed class DefaultsTrainingTests
{
    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (string name in MetaAlgorithms.Names)
        {
            if (MetaAlgorithms.HasInnerSteps(name))
            {
                cases.Add(name, "sine");
            }

            cases.Add(name, "make_classification");
        }

        return cases;
    }

    /// <summary>
    /// 40 meta-iterations of 4 tasks at the trainer's default Adam 1e-3 for each seed; the query loss is the mean over 10
    /// fresh tasks per seed (50 in all), before and after. (Adam 1e-2 with 2 tasks per meta-iteration raised the
    /// make_classification query loss for most algorithms: too noisy a regime to ask for improvement.)
    /// </summary>
    [Theory]
    [Trait("Category", "Slow")]
    [MemberData(nameof(Cases))]
    public void Train_Defaults_StayFiniteAndLowerTheQueryLossOverSeeds0To4(string name, string samplerName)
    {
        var (before, after, problems) = TrainSeeds(name, samplerName, new[] { 0, 1, 2, 3, 4 }, iterations: 40, metaBatch: 4, outerLearningRate: 1e-3, evaluationEpisodes: 10);

        problems.Should().BeEmpty($"{name}'s defaults should train on {samplerName}");
        after.Average().Should().BeLessThan(before.Average(), $"{name} should lower the query loss on {samplerName} (per seed: {string.Join(", ", before.Zip(after, (b, a) => $"{b:F4} -> {a:F4}"))})");
    }

    /// <summary>
    /// iMAML on sinusoids, where its inner loop diverged: plain gradient steps of fixed size stopped the sine sample
    /// (λ = 10, 10 steps of 0.01, Adam 1e-3, meta-batch 25) with a NaN or infinite loss after 998 to 1,722
    /// meta-iterations for seeds 0, 1, 3 and 4. Adam 1e-2 moves the meta-parameters about ten times as fast, so 150
    /// meta-iterations reach that point: with λ = 10 and fixed-size steps, seeds 0 to 4 of this setting failed for seed 1
    /// (a NaN loss at meta-iteration 125; in a Release build with one intra-op thread seed 4 too, at 102). Seed 1 alone
    /// keeps the suite short; the theory above covers seeds 0 to 4 at the default learning rate.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void Train_ImamlDefaultsOnSineAtTenTimesTheLearningRate_StayFiniteWhereFixedStepsDiverged()
    {
        var (before, after, problems) = TrainSeeds("imaml", "sine", new[] { 1 }, iterations: 150, metaBatch: 4, outerLearningRate: 1e-2, evaluationEpisodes: 20);

        problems.Should().BeEmpty();
        after[0].Should().BeLessThan(before[0], "training lowers the query loss");
    }

    private static (double[] Before, double[] After, List<string> Problems) TrainSeeds(string name, string samplerName, int[] seeds, int iterations, int metaBatch, double outerLearningRate, int evaluationEpisodes)
    {
        bool sine = samplerName == "sine";
        ITaskSampler sampler = sine ? new SinusoidTaskSampler() : new MakeClassificationTaskSampler(new MakeClassificationTaskOptions());
        var before = new double[seeds.Length];
        var after = new double[seeds.Length];
        var problems = new List<string>();
        for (int k = 0; k < seeds.Length; k++)
        {
            int seed = seeds[k];
            using var model = Model(name, sine, seed);
            using var learner = MetaAlgorithms.Create(name, model);
            before[k] = Evaluator.Evaluate(learner, sampler, evaluationEpisodes, 1_000 + seed).MeanLoss;
            using var trainer = new MetaTrainer(learner, new MetaTrainerOptions { Iterations = iterations, MetaBatchSize = metaBatch, OuterLearningRate = outerLearningRate, Seed = seed });
            try
            {
                var result = trainer.Train(sampler);
                after[k] = Evaluator.Evaluate(learner, sampler, evaluationEpisodes, 1_000 + seed).MeanLoss;
                if (!result.QueryLosses.All(double.IsFinite) || !double.IsFinite(after[k]))
                {
                    problems.Add($"seed {seed}: a non-finite query loss (evaluation after training: {after[k]})");
                }
            }
            catch (InvalidOperationException e)
            {
                after[k] = double.NaN;
                problems.Add($"seed {seed}: {e.Message}");
            }
        }

        return (before, after, problems);
    }

    /// <summary>MLPs with 40-unit hidden layers (the sine sample's); CAVIA's takes its 5 context inputs too; ProtoNets and R2D2 embed (no head).</summary>
    private static Mlp Model(string name, bool sine, int seed)
    {
        int features = sine ? 1 : 20;
        int inputs = name == "cavia" ? features + new CaviaOptions().ContextSize : features;
        int[] layers = MetaAlgorithms.HasInnerSteps(name) ? new[] { inputs, 40, 40, sine ? 1 : 3 } : new[] { inputs, 40, 40 };
        return new Mlp(new MlpOptions { LayerSizes = layers, Seed = seed });
    }
}
