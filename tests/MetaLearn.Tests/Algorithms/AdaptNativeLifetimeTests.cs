using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Tasks;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

/// <summary>
/// <c>Adapt</c> and the predictions leave nothing to the finaliser: every TorchSharp <c>Scalar</c> and tensor they make
/// is disposed before they return, except the results the caller owns. They count every TorchSharp object of the
/// process the finaliser reaches, so they run with no other test at the same time.
/// </summary>
[Collection(GlobalRandomCollection.Name)]
public sealed class AdaptNativeLifetimeTests
{
    private const int Repetitions = 3;

    [Fact]
    public void AdaptAndPredict_Repeated_LeaveNoTensorAliveAndNothingToTheFinaliser()
    {
        var cases = AdaptationCases.All().Select(row => ((string)row[0], (string)row[1])).ToArray();
        var learners = new List<(IMetaAlgorithm Learner, IFunctionalModel Model, Episode Episode)>();
        try
        {
            foreach (var (algorithm, kind) in cases)
            {
                var model = AdaptationCases.Model(algorithm, kind);
                learners.Add((AdaptationCases.Learner(algorithm, model), model, AdaptationCases.Episode(kind, seed: 11)));
            }

            // Warm up once (lazy initialisation in TorchSharp and the backbones' frozen copies), then count.
            Run(learners, repetitions: 1);
            using var counter = new FinalizerCounter();
            long tensors = Tensor.TotalCount;

            Run(learners, Repetitions);

            Tensor.TotalCount.Should().Be(tensors, "every tensor Adapt and Predict made is disposed or owned by a disposed result");
            counter.Finalised().Should().BeEmpty("no Scalar, tensor or other TorchSharp object made by Adapt or Predict is left to the finaliser");
        }
        finally
        {
            foreach (var (learner, model, episode) in learners)
            {
                learner.Dispose();
                model.Dispose();
                episode.Dispose();
            }
        }
    }

    [Fact]
    public void FinalizerCounter_AScalarLeftUndisposed_IsCounted()
    {
        using var counter = new FinalizerCounter();

        LeakScalars(3);

        counter.Finalised().Should().Equal(new Dictionary<string, int> { [typeof(Scalar).FullName!] = 3 });
    }

    private static void Run(List<(IMetaAlgorithm Learner, IFunctionalModel Model, Episode Episode)> learners, int repetitions)
    {
        for (int r = 0; r < repetitions; r++)
        {
            foreach (var (learner, _, episode) in learners)
            {
                using var adapted = learner.Adapt(episode.SupportInputs, episode.SupportTargets, new AdaptationOptions { Seed = r });
                using var logits = adapted.Predict(episode.QueryInputs);
                using var probabilities = adapted.PredictProbabilities(episode.QueryInput);
                using var classes = adapted.PredictClasses(episode.QueryInput);
            }
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void LeakScalars(int count)
    {
        for (int i = 0; i < count; i++)
        {
            _ = (2.0 + i).ToScalar();
        }
    }
}
