using MetaLearn.Algorithms;
using MetaLearn.Evaluation;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;

namespace MetaLearn.Tests.Training;

public sealed class MetaTrainerEvaluateTests
{
    [Fact]
    public void Evaluate_AfterTraining_EqualsEvaluatorAndBeatsTheUntrainedModel()
    {
        using var model = new Mlp(MlpOptions.WithLayers(1, 40, 40, 1));
        using var maml = new Maml(model);
        var tasks = new SinusoidTaskSampler();
        using var trainer = new MetaTrainer(maml, new MetaTrainerOptions { Iterations = 300, MetaBatchSize = 10, OuterLearningRate = 0.003, Seed = 0 });
        var before = trainer.Evaluate(tasks, episodes: 20, seed: 1);

        trainer.Train(tasks);
        var after = trainer.Evaluate(tasks, episodes: 20, seed: 1);

        after.Should().Be(Evaluator.Evaluate(maml, tasks, 20, 1));
        after.MeanLoss.Should().BeLessThan(0.8 * before.MeanLoss);
    }
}
