using F = TorchSharp.torch.nn.functional;

namespace OmniglotFewShot;

/// <summary>
/// The from-scratch baseline: for each test episode a fresh Conv4 trained on the support set alone (Adam 0.01,
/// 50 full-batch steps in training mode), then scored on the query set in evaluation mode (batch norm with the running
/// statistics of those steps), on the same episodes the learners are scored on (the first ones
/// <see cref="Evaluator.Evaluate(IMetaAlgorithm, ITaskSampler, int, int, CancellationToken)"/> draws).
/// </summary>
internal static class ScratchBaseline
{
    private const int Steps = 50;

    /// <returns>The mean query accuracy over <paramref name="episodes"/> episodes.</returns>
    public static double Accuracy(ITaskSampler sampler, int ways, int episodes, int seed, int modelSeed, int imageSize)
    {
        double correct = 0;
        for (int t = 0; t < episodes; t++)
        {
            using var episode = sampler.Sample(Seeds.Derive(seed, 7, t));
            using var net = Networks.Scratch(ways, modelSeed + t, imageSize);
            using var optimizer = SafeOptimizers.Adam(net.parameters(), lr: 0.01);
            net.train();
            for (int step = 0; step < Steps; step++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                F.cross_entropy(net.forward(episode.SupportInputs[0]), episode.SupportTargets).backward();
                optimizer.step();
            }

            net.eval();
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                correct += net.forward(episode.QueryInputs[0]).argmax(1).eq(episode.QueryTargets).to(ScalarType.Float64).mean().item<double>();
            }
        }

        return episodes == 0 ? double.NaN : correct / episodes;
    }
}
