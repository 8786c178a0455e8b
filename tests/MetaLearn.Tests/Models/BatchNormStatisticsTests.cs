using MetaLearn.Models;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Models;

/// <summary>
/// The three batch-norm modes at the layer: Support normalises a query with statistics collected from the support set,
/// Running reads (or, adapting, leaves) its running statistics, and dropout draws from the pass's own generator.
/// </summary>
public sealed class BatchNormStatisticsTests
{
    private const ScalarType F64 = ScalarType.Float64;

    [Fact]
    public void Forward_SupportMode_QueryWithCollectedStatistics_IsNormalisedWithTheSupportsMoments()
    {
        using var model = OneBlock(BatchNormStatistics.Support);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Perturb(model);
        var support = randn(6, 1, 4, 4, dtype: F64);
        var query = randn(3, 1, 4, 4, dtype: F64).mul(tensor(4.0, dtype: F64));
        var w = model.Parameters;

        var collector = NormStatistics.Collector(copiesRunning: false);
        var supportOutput = model.Forward(new[] { support }, w, new ForwardContext { Statistics = collector });
        var queryOutput = model.Forward(new[] { query }, w, new ForwardContext { Training = false, Statistics = collector.Applying() });

        // By hand: the support's per-channel mean and biased variance after the convolution, applied to the query's.
        var supportConv = Layers.Conv2d(support, w[0], w[1], padding: 1, taskBatched: false);
        var queryConv = Layers.Conv2d(query, w[0], w[1], padding: 1, taskBatched: false);
        var mean = supportConv.mean(new long[] { 0, 2, 3 });
        var variance = supportConv.var(new long[] { 0, 2, 3 }, unbiased: false);
        var expected = nn.functional.batch_norm(queryConv, mean, variance, w[2], w[3], training: false);
        var expectedSupport = nn.functional.batch_norm(supportConv, null, null, w[2], w[3], training: true);

        collector.Count.Should().Be(1);
        ModuleConversionTests.MaxAbs(queryOutput, Head(model, expected)).Should().BeLessThan(1e-12);
        ModuleConversionTests.MaxAbs(supportOutput, Head(model, expectedSupport)).Should().BeLessThan(1e-12, "the collecting pass normalises the support with its own statistics");
        ModuleConversionTests.MaxAbs(queryOutput, model.Forward(new[] { query }, w, new ForwardContext())).Should().BeGreaterThan(1e-3, "without statistics a pass normalises over its own rows");
    }

    [Fact]
    public void Forward_SupportMode_TaskBatchedCollectAndApply_EqualsPerTask()
    {
        using var model = new Conv4(new Conv4Options { Ways = 2, Channels = 3, ImageSize = 4, Blocks = 1, TaskBatching = true, DType = F64, Seed = 2 });
        using var scope = NewDisposeScope();
        const int tasks = 3;
        using var spread = 0.3.ToScalar();
        var supports = Enumerable.Range(0, tasks).Select(_ => randn(5, 1, 4, 4, dtype: F64)).ToArray();
        var queries = Enumerable.Range(0, tasks).Select(_ => randn(4, 1, 4, 4, dtype: F64)).ToArray();
        var weights = Enumerable.Range(0, tasks).Select(_ => model.Parameters.Select(p => p.detach().Plus(randn_like(p).mul(spread))).ToArray()).ToArray();

        var perTask = new Tensor[tasks];
        for (int t = 0; t < tasks; t++)
        {
            var collector = NormStatistics.Collector(copiesRunning: false);
            model.Forward(new[] { supports[t] }, weights[t], new ForwardContext { Statistics = collector });
            perTask[t] = model.Forward(new[] { queries[t] }, weights[t], new ForwardContext { Statistics = collector.Applying() });
        }

        var stackedWeights = Enumerable.Range(0, model.Parameters.Count).Select(i => stack(weights.Select(w => w[i]).ToArray())).ToArray();
        var batchedCollector = NormStatistics.Collector(copiesRunning: false);
        model.Forward(new[] { stack(supports) }, stackedWeights, new ForwardContext(0, true) { Statistics = batchedCollector });
        var batched = model.Forward(new[] { stack(queries) }, stackedWeights, new ForwardContext(0, true) { Statistics = batchedCollector.Applying() });

        ModuleConversionTests.MaxAbs(batched, stack(perTask)).Should().BeLessThan(1e-12);
    }

    [Fact]
    public void Forward_RunningMode_AdaptingPass_NormalisesWithTheBatchAndLeavesTheRunningStatistics()
    {
        using var model = OneBlock(BatchNormStatistics.Running);
        using var scope = NewDisposeScope();
        var x = randn(6, 1, 4, 4, dtype: F64).mul(tensor(3.0, dtype: F64));
        double[] before = TestEpisodes.Flatten(model.Buffers);

        var adapting = model.Forward(new[] { x }, model.Parameters, new ForwardContext { Adapting = true });
        TestEpisodes.Flatten(model.Buffers).Should().Equal(before, "an adapting pass never updates the running statistics");
        var evaluating = model.Forward(new[] { x }, model.Parameters, new ForwardContext { Adapting = true, Training = false });
        TestEpisodes.Flatten(model.Buffers).Should().Equal(before);
        var training = model.Forward(new[] { x }, model.Parameters, new ForwardContext());

        TestEpisodes.Flatten(model.Buffers).Should().NotEqual(before, "a training pass updates them");
        ModuleConversionTests.MaxAbs(adapting, training).Should().BeLessThan(1e-12, "both normalise with the batch's statistics");
        ModuleConversionTests.MaxAbs(evaluating, training).Should().BeLessThan(1e-12, "adapting overrides evaluation mode for batch norm");
    }

    [Fact]
    public void Forward_RunningMode_CopiedStatistics_AreWhatAPredictionUses_AfterTheBuffersMove()
    {
        using var model = OneBlock(BatchNormStatistics.Running);
        using var scope = NewDisposeScope();
        model.Forward(new[] { randn(8, 1, 4, 4, dtype: F64).Plus(ones(1, dtype: F64)) }, model.Parameters, new ForwardContext());
        var x = randn(3, 1, 4, 4, dtype: F64);
        var atCopy = model.Forward(new[] { x }, model.Parameters, new ForwardContext { Training = false });

        var collector = NormStatistics.Collector(copiesRunning: true);
        model.Forward(new[] { randn(5, 1, 4, 4, dtype: F64) }, model.Parameters, new ForwardContext { Adapting = true, Training = false, Statistics = collector });
        var frozen = collector.Applying().Keep();
        try
        {
            model.Forward(new[] { randn(8, 1, 4, 4, dtype: F64).mul(tensor(5.0, dtype: F64)) }, model.Parameters, new ForwardContext());
            var live = model.Forward(new[] { x }, model.Parameters, new ForwardContext { Training = false });
            var predicted = model.Forward(new[] { x }, model.Parameters, new ForwardContext { Training = false, Statistics = frozen });

            frozen.Count.Should().Be(1);
            ModuleConversionTests.MaxAbs(predicted, atCopy).Should().BeLessThan(1e-12, "the copy holds the statistics of when it was taken");
            ModuleConversionTests.MaxAbs(live, atCopy).Should().BeGreaterThan(1e-3, "the live statistics moved since");
        }
        finally
        {
            frozen.DisposeTensors();
        }
    }

    [Theory]
    [InlineData(BatchNormStatistics.Support)]
    [InlineData(BatchNormStatistics.Running)]
    public void Forward_PredictionWithoutItsStatistics_ThrowsNamingTheMemberToForward(BatchNormStatistics statistics)
    {
        using var model = OneBlock(statistics);
        using var scope = NewDisposeScope();

        var act = () => model.Forward(new[] { randn(3, 1, 4, 4, dtype: F64) }, model.Parameters, new ForwardContext { Training = false, Statistics = NormStatistics.Empty });

        act.Should().Throw<InvalidOperationException>().WithMessage($"*{statistics} statistics*IFunctionalModel.UsesBatchNormStatistics*");
    }

    [Fact]
    public void Forward_TransductiveMode_NormalisesEveryPassOverItsOwnRows_WhateverTheStatistics()
    {
        using var model = OneBlock(BatchNormStatistics.Transductive);
        using var scope = NewDisposeScope();
        var x = randn(4, 1, 4, 4, dtype: F64);
        var collector = NormStatistics.Collector(copiesRunning: true);
        model.Forward(new[] { randn(6, 1, 4, 4, dtype: F64) }, model.Parameters, new ForwardContext { Statistics = collector });

        var applied = model.Forward(new[] { x }, model.Parameters, new ForwardContext { Training = false, Statistics = collector.Applying() });
        var own = model.Forward(new[] { x }, model.Parameters, new ForwardContext());

        collector.Count.Should().Be(0);
        ModuleConversionTests.MaxAbs(applied, own).Should().BeLessThan(1e-12);
        model.Buffers.Should().BeEmpty();
    }

    [Fact]
    public void Dropout_GeneratorInTheContext_DrawsTheMasks_AndLeavesTheModelsGeneratorAsItWas()
    {
        using var net = nn.Sequential(("fc", nn.Linear(4, 64, dtype: F64)), ("drop", nn.Dropout(0.5)));
        using var model = FunctionalModel.FromModule(net);
        using var scope = NewDisposeScope();
        var x = randn(8, 4, dtype: F64);
        var before = model.Noise.get_state();

        using var first = new Generator(5);
        using var second = new Generator(5);
        var a = model.Forward(new[] { x }, model.Parameters, new ForwardContext { Noise = first });
        var b = model.Forward(new[] { x }, model.Parameters, new ForwardContext { Noise = second });

        TestEpisodes.Flatten(new[] { model.Noise.get_state() }).Should().Equal(TestEpisodes.Flatten(new[] { before }), "the model's generator drew nothing");
        TestEpisodes.Flatten(new[] { a }).Should().Equal(TestEpisodes.Flatten(new[] { b }), "generators of the same seed draw the same masks");
        TestEpisodes.Flatten(new[] { a }).Should().Contain(0.0, "units were dropped");
        model.Forward(new[] { x }, model.Parameters, new ForwardContext());
        TestEpisodes.Flatten(new[] { model.Noise.get_state() }).Should().NotEqual(TestEpisodes.Flatten(new[] { before }), "without one, the model's generator draws");
    }

    [Fact]
    public void UsesBatchNormStatistics_ReportsTheModesOfEveryModel()
    {
        using var support = OneBlock(BatchNormStatistics.Support);
        using var running = OneBlock(BatchNormStatistics.Running);
        using var transductive = OneBlock(BatchNormStatistics.Transductive);
        using var mlp = TestEpisodes.TinyClassifier();
        using var module = nn.Sequential(
            ("fc", nn.Linear(4, 6, dtype: F64)), ("tracked", nn.BatchNorm1d(6, dtype: F64)),
            ("untracked", nn.BatchNorm1d(6, track_running_stats: false, dtype: F64)), ("head", nn.Linear(6, 3, dtype: F64)));
        using var converted = FunctionalModel.FromModule(module);
        using var convertedTransductive = FunctionalModel.FromModule(module, new ModuleConversionOptions { BatchNormStatistics = BatchNormStatistics.Transductive });
        using var fusion = new LateFusion(new IFunctionalModel[] { TestEpisodes.TinyClassifier(), OneBlock(BatchNormStatistics.Running) }, ownsModels: true);

        Modes(support).Should().Equal(BatchNormStatistics.Support);
        Modes(running).Should().Equal(BatchNormStatistics.Running);
        Modes(transductive).Should().Equal(BatchNormStatistics.Transductive);
        Modes(mlp).Should().BeEmpty();
        Modes(converted).Should().Equal(BatchNormStatistics.Support, BatchNormStatistics.Running);
        Modes(convertedTransductive).Should().Equal(BatchNormStatistics.Running, BatchNormStatistics.Transductive);
        Modes(fusion).Should().Equal(BatchNormStatistics.Running);
        running.BufferNames.Should().Equal("block0.norm.running_mean", "block0.norm.running_var", "block0.norm.num_batches_tracked");
        support.Buffers.Should().BeEmpty();
    }

    private static BatchNormStatistics[] Modes(IFunctionalModel model) =>
        Enum.GetValues<BatchNormStatistics>().Where(model.UsesBatchNormStatistics).ToArray();

    /// <summary>One conv block (conv, batch norm, ReLU, pool) of 1x4x4 images and a 2-way head.</summary>
    private static Conv4 OneBlock(BatchNormStatistics statistics) =>
        new(new Conv4Options { Ways = 2, Channels = 3, ImageSize = 4, Blocks = 1, BatchNormStatistics = statistics, DType = F64, Seed = 1 });

    /// <summary>The rest of <see cref="OneBlock"/> after batch norm: ReLU, pooling, flatten and the head.</summary>
    private static Tensor Head(Conv4 model, Tensor normalised) =>
        Layers.Linear(Layers.MaxPool2x2(normalised.relu(), false).flatten(1), model.Parameters[4], model.Parameters[5], false);

    /// <summary>Moves the batch-norm scale and shift off 1 and 0, so that they matter.</summary>
    private static void Perturb(Conv4 model)
    {
        using var noGrad = no_grad();
        using var spread = 0.5.ToScalar();
        model.Parameters[2].add_(randn_like(model.Parameters[2]).mul(spread));
        model.Parameters[3].add_(randn_like(model.Parameters[3]).mul(spread));
    }
}
