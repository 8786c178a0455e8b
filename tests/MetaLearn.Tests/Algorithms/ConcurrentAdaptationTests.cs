using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Tasks;
using MetaLearn.Training;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

/// <summary>
/// The thread-safety contract of <see cref="IMetaAlgorithm.Adapt"/> and <see cref="AdaptedModel"/>: many threads
/// adapting and predicting at once on one learner get what the same calls made one after the other get.
/// </summary>
public sealed class ConcurrentAdaptationTests
{
    private const int Threads = 8;
    private const int TasksPerThread = 2;

    /// <summary>
    /// A converted nn.Sequential with batch norm (one keeping running statistics, one not) and dropout, meta-trained for
    /// a few iterations on make_classification tasks, then 8 threads each adapt to 2 tasks and predict their query
    /// probabilities, all at once. The tolerance is not 0 because libtorch may split an operation's work differently
    /// on a calling thread of its own (its intra-op thread count is per thread); in float32 that moves the last bits.
    /// </summary>
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("maml")]
    [InlineData("protonet")]
    [InlineData("r2d2")]
    [InlineData("reptile")]
    [InlineData("imaml")]
    public void Adapt_EightThreadsAtOnce_GiveTheSequentialProbabilities(string name)
    {
        var sampler = new MakeClassificationTaskSampler(new MakeClassificationTaskOptions { Ways = 3, Shots = 5, Queries = 10 });
        using var model = Network(embedding: name is "protonet" or "r2d2");
        using var learner = TestAlgorithms.Create(name, model, steps: 3, stepSize: 0.1);
        using (var trainer = new MetaTrainer(learner, new MetaTrainerOptions { Iterations = 5, MetaBatchSize = 4, Seed = 3 }))
        {
            trainer.Train(sampler);
        }

        var episodes = Enumerable.Range(0, Threads * TasksPerThread).Select(i => sampler.Sample(1000 + i)).ToArray();
        try
        {
            double[] before = AdaptationCases.State(learner);
            var sequential = episodes.Select(e => AdaptAndPredict(learner, e)).ToArray();

            var concurrent = new float[episodes.Length][];
            var errors = new List<Exception>();
            using var start = new Barrier(Threads);
            var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    for (int k = 0; k < TasksPerThread; k++)
                    {
                        int i = (k * Threads) + t;
                        concurrent[i] = AdaptAndPredict(learner, episodes[i]);
                    }
                }
                catch (Exception ex)
                {
                    lock (errors)
                    {
                        errors.Add(ex);
                    }
                }
            })).ToArray();
            foreach (var thread in threads)
            {
                thread.Start();
            }

            foreach (var thread in threads)
            {
                thread.Join();
            }

            errors.Should().BeEmpty();
            double largest = sequential.Zip(concurrent).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));
            largest.Should().BeLessThan(1e-6, "each thread's results equal the sequential ones");
            sequential.Select(p => p.Max() - p.Min()).Should().OnlyContain(spread => spread > 0.01, "the probabilities are not trivially uniform");
            AdaptationCases.State(learner).Should().Equal(before, "no thread changed the learner");
        }
        finally
        {
            foreach (var episode in episodes)
            {
                episode.Dispose();
            }
        }
    }

    /// <summary>Adapts to the episode's support set and returns the query probabilities, on the calling thread.</summary>
    private static float[] AdaptAndPredict(IMetaAlgorithm learner, Episode episode)
    {
        using var scope = NewDisposeScope();
        using var adapted = learner.Adapt(episode.SupportInputs, episode.SupportTargets);
        return adapted.PredictProbabilities(episode.QueryInput).data<float>().ToArray();
    }

    /// <summary>Linear, batch norm with running statistics, ReLU, dropout, linear, batch norm without, ReLU, linear (float32, as a user builds it).</summary>
    private static FunctionalModel Network(bool embedding)
    {
        using var net = nn.Sequential(
            ("fc1", nn.Linear(20, 32)), ("bn1", nn.BatchNorm1d(32)), ("relu1", nn.ReLU()), ("drop", nn.Dropout(0.2)),
            ("fc2", nn.Linear(32, 32)), ("bn2", nn.BatchNorm1d(32, track_running_stats: false)), ("relu2", nn.ReLU()),
            ("head", nn.Linear(32, embedding ? 16 : 3)));
        var model = FunctionalModel.FromModule(net, new ModuleConversionOptions { Seed = 5 });
        using var generator = new Generator(5);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var p in model.Parameters)
        {
            p.copy_(empty(p.shape).uniform_(-0.3, 0.3, generator: generator).Plus(p.dim() == 1 && p.shape[0] == 32 ? ones(1) : zeros(1)));
        }

        return model;
    }
}
