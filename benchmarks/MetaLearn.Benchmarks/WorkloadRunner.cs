using MetaLearn.Evaluation;
using MetaLearn.Training;

namespace MetaLearn.Benchmarks;

/// <summary>Runs a workload through MetaLearn's public API (the workload's algorithm + MetaTrainer + Evaluator).</summary>
internal static class WorkloadRunner
{
    /// <summary>Root seed of the evaluation tasks, disjoint from the training tasks' stream.</summary>
    public const int EvaluationSeed = 1_000_003;

    /// <summary>
    /// Meta-trains for <paramref name="iterations"/> timed meta-iterations and computes the final metric.
    /// Episodes are drawn on the training thread (no prefetch unless asked), so task generation is timed, as in the
    /// reference; each iteration is zero grad, adapt every task, backward of the mean query loss, one Adam step.
    /// </summary>
    public static ResultLine Run(Workload workload, int iterations, bool perTask, int prefetch, int seed = 0)
    {
        using var model = workload.CreateModel();
        using var maml = workload.Algorithm(model, perTask);
        var sampler = workload.CreateSampler();
        using var trainer = new MetaTrainer(maml, new MetaTrainerOptions
        {
            Iterations = workload.IterationsFor(iterations),
            MetaBatchSize = workload.MetaBatchSize,
            OuterLearningRate = Workload.OuterLearningRate,
            Seed = seed,
            PrefetchBatches = prefetch,
            ValidationInterval = 0,
        });
        var training = trainer.Train(sampler);
        double metric = workload.Metric switch
        {
            FinalMetric.QueryLoss => Evaluator.Evaluate(maml, sampler, Workload.EvaluationTasks, EvaluationSeed).MeanLoss,
            FinalMetric.QueryAccuracy => Evaluator.Evaluate(maml, sampler, Workload.EvaluationTasks, EvaluationSeed).MeanAccuracy,
            _ => double.NaN,
        };
        return new ResultLine(workload.Name, training.MedianIterationMilliseconds, metric);
    }
}
