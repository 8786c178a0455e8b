using MetaLearn.Models;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Models;

/// <summary>Mlp and Conv4 are built from the conversion's layers; their names, initial values and outputs are unchanged.</summary>
public sealed class BuiltInModelTests
{
    [Fact]
    public void Mlp_InitialValues_AreTheSeededDrawsInRegistrationOrder()
    {
        using var model = new Mlp(MlpOptions.WithLayers(3, 5, 2) with { Seed = 4, DType = ScalarType.Float64 });
        using var generator = new Generator(4);
        using var scope = NewDisposeScope();
        var expected = new List<Tensor>();
        foreach (var (fanIn, fanOut) in new[] { (3L, 5L), (5L, 2L) })
        {
            double bound = 1 / Math.Sqrt(fanIn);
            expected.Add(empty(new[] { fanOut, fanIn }, dtype: ScalarType.Float64).uniform_(-bound, bound, generator: generator));
            expected.Add(empty(new[] { fanOut }, dtype: ScalarType.Float64).uniform_(-bound, bound, generator: generator));
        }

        TestEpisodes.Flatten(model.Parameters).Should().Equal(TestEpisodes.Flatten(expected));
    }

    [Fact]
    public void Conv4_InitialValuesAndOutput_EqualTheLayerFunctions_PerStepSet()
    {
        var options = new Conv4Options { Ways = 3, Channels = 4, ImageSize = 8, Blocks = 2, BatchNormSets = 2, Seed = 9, DType = ScalarType.Float64 };
        using var model = new Conv4(options);
        using var generator = new Generator(9);
        using var scope = NewDisposeScope();
        var w = model.Parameters;
        double bound0 = 1 / Math.Sqrt(1 * 9);
        double bound1 = 1 / Math.Sqrt(4 * 9);
        double boundHead = 1 / Math.Sqrt(4 * 2 * 2);
        var conv0 = empty(new long[] { 4, 1, 3, 3 }, dtype: ScalarType.Float64).uniform_(-bound0, bound0, generator: generator);
        var conv1 = empty(new long[] { 4, 4, 3, 3 }, dtype: ScalarType.Float64).uniform_(-bound1, bound1, generator: generator);
        var head = empty(new long[] { 3, 16 }, dtype: ScalarType.Float64).uniform_(-boundHead, boundHead, generator: generator);
        TestEpisodes.Flatten(new[] { w[0], w[6], w[12] }).Should().Equal(TestEpisodes.Flatten(new[] { conv0, conv1, head }));
        TestEpisodes.Flatten(new[] { w[1], w[3], w[5], w[13] }).Should().OnlyContain(v => v == 0);
        TestEpisodes.Flatten(new[] { w[2], w[4] }).Should().OnlyContain(v => v == 1);

        using (no_grad())
        {
            foreach (var p in w)
            {
                p.add_(randn_like(p));
            }
        }

        var x = randn(5, 1, 8, 8, dtype: ScalarType.Float64);
        foreach (int step in new[] { 0, 1, 4 })
        {
            int set = Math.Min(step, 1);
            var h = x;
            for (int b = 0; b < 2; b++)
            {
                int at = b * 6;
                h = nn.functional.conv2d(h, w[at], w[at + 1], padding: new long[] { 1, 1 });
                h = nn.functional.batch_norm(h, null, null, w[at + 2 + (2 * set)], w[at + 3 + (2 * set)], training: true);
                h = nn.functional.max_pool2d(h.relu(), 2);
            }

            var expected = Layers.Linear(h.flatten(1), w[12], w[13], taskBatched: false);
            TestEpisodes.Flatten(new[] { model.Forward(new[] { x }, w, new ForwardContext(step)) }).Should().Equal(TestEpisodes.Flatten(new[] { expected }), $"step {step}");
        }
    }

    [Fact]
    public void Conv4_PerStepBatchNormRunning_KeepsRunningStatisticsPerStep_AndEvaluationUsesThem()
    {
        using var model = new Conv4(new Conv4Options { Ways = 2, Channels = 3, ImageSize = 4, Blocks = 1, BatchNormSets = 2, BatchNormStatistics = BatchNormStatistics.Running, DType = ScalarType.Float64 });
        model.BufferNames.Should().Equal(
            "block0.norm.step0.running_mean", "block0.norm.step0.running_var", "block0.norm.step0.num_batches_tracked",
            "block0.norm.step1.running_mean", "block0.norm.step1.running_var", "block0.norm.step1.num_batches_tracked");
        using var scope = NewDisposeScope();
        var x = randn(6, 1, 4, 4, dtype: ScalarType.Float64).mul(tensor(3.0, dtype: ScalarType.Float64));

        model.Forward(new[] { x }, model.Parameters, new ForwardContext(Step: 0));
        var conv = nn.functional.conv2d(x, model.Parameters[0], model.Parameters[1], padding: new long[] { 1, 1 });
        var batchMean = conv.mean(new long[] { 0, 2, 3 });
        ModuleConversionTests.MaxAbs(model.Buffers[0], batchMean.mul(tensor(0.1, dtype: ScalarType.Float64))).Should().BeLessThan(1e-12, "step 0 updates set 0 with momentum 0.1");
        TestEpisodes.Flatten(new[] { model.Buffers[3] }).Should().OnlyContain(v => v == 0, "set 1 is untouched at step 0");
        TestEpisodes.Flatten(new[] { model.Buffers[2], model.Buffers[5] }).Should().Equal(1, 0);

        model.Forward(new[] { x }, model.Parameters, new ForwardContext(Step: 3));
        TestEpisodes.Flatten(new[] { model.Buffers[2], model.Buffers[5] }).Should().Equal(new double[] { 1, 1 }, "steps past the last set use the last set");

        var evaluated = model.Forward(new[] { x }, model.Parameters, new ForwardContext(Step: 1) { Training = false });
        var normalised = nn.functional.batch_norm(conv, model.Buffers[3], model.Buffers[4], model.Parameters[4], model.Parameters[5], training: false);
        var expected = Layers.Linear(nn.functional.max_pool2d(normalised.relu(), 2).flatten(1), model.Parameters[6], model.Parameters[7], false);
        ModuleConversionTests.MaxAbs(evaluated, expected).Should().BeLessThan(1e-12);
    }

    [Fact]
    public void BuiltIns_ToModule_ExportsEquivalentModules_ThatConvertBack()
    {
        using var mlp = new Mlp(MlpOptions.WithLayers(2, 6, 3) with { DType = ScalarType.Float64 });
        using var conv4 = new Conv4(new Conv4Options { Ways = 3, Channels = 4, ImageSize = 8, Blocks = 2, DType = ScalarType.Float64, Seed = 1 });
        using var mlpModule = mlp.ToModule();
        using var conv4Module = conv4.ToModule();
        using var mlpBack = FunctionalModel.FromModule(mlpModule);
        using var conv4Back = FunctionalModel.FromModule(conv4Module);
        using var scope = NewDisposeScope();

        mlpBack.ParameterNames.Should().Equal(mlp.ParameterNames);
        conv4Back.ParameterNames.Should().StartWith(new[] { "block0.conv.weight", "block0.conv.bias", "block0.norm.weight", "block0.norm.bias" }).And.EndWith(new[] { "head.weight", "head.bias" });
        TestEpisodes.Flatten(conv4Back.Parameters).Should().Equal(TestEpisodes.Flatten(conv4.Parameters));
        var a = randn(4, 2, dtype: ScalarType.Float64);
        var b = randn(4, 1, 8, 8, dtype: ScalarType.Float64);
        TestEpisodes.Flatten(new[] { mlpModule.forward(a) }).Should().Equal(TestEpisodes.Flatten(new[] { mlp.Forward(a) }));
        TestEpisodes.Flatten(new[] { conv4Module.forward(b) }).Should().Equal(TestEpisodes.Flatten(new[] { conv4.Forward(b) }));
        TestEpisodes.Flatten(new[] { conv4Back.Forward(b) }).Should().Equal(TestEpisodes.Flatten(new[] { conv4.Forward(b) }));
    }

    [Fact]
    public void Conv4WithRunningStatistics_ToModule_ExportsTheRunningStatistics_AndPredictsAsTheModelDoesInEvaluation()
    {
        using var conv4 = new Conv4(new Conv4Options { Ways = 3, Channels = 4, ImageSize = 8, Blocks = 2, BatchNormStatistics = BatchNormStatistics.Running, DType = ScalarType.Float64, Seed = 2 });
        using var scope = NewDisposeScope();
        var b = randn(5, 1, 8, 8, dtype: ScalarType.Float64, generator: new Generator(7));
        for (int i = 0; i < 3; i++)
        {
            conv4.Forward(new[] { b.mul(tensor(i + 1.0, dtype: ScalarType.Float64)) }, conv4.Parameters, new ForwardContext(Step: 0));
        }

        using var module = conv4.ToModule();
        module.eval();
        var runningMeans = module.named_buffers().Where(n => n.name.EndsWith("running_mean", StringComparison.Ordinal)).Select(n => n.buffer).ToArray();
        runningMeans.Should().HaveCount(2);
        TestEpisodes.Flatten(runningMeans).Should().Contain(v => v != 0, "three training passes moved the running means");
        module.named_buffers().Where(n => n.name.EndsWith("num_batches_tracked", StringComparison.Ordinal)).Select(n => n.buffer.ToInt64())
            .Should().Equal(new long[] { 3, 3 }, "each block counted the three training passes");
        var expected = conv4.Forward(new[] { b }, conv4.Parameters, new ForwardContext(Step: 0) { Training = false });
        ModuleConversionTests.MaxAbs(module.forward(b), expected).Should().BeLessThan(1e-12);
    }
}
