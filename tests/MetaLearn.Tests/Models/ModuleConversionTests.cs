using MetaLearn.Models;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Models;

[Collection(GlobalRandomCollection.Name)]
public sealed class ModuleConversionTests
{
    private static readonly Scalar MinusOne = (-1.0).ToScalar();

    [Theory]
    [MemberData(nameof(ModuleCases.LayerNames), MemberType = typeof(ModuleCases))]
    public void FromModule_EveryLayerInBothModes_OutputAndRunningStatisticsEqualTheModules(string layer)
    {
        foreach (bool training in new[] { true, false })
        {
            var (module, input) = ModuleCases.Layer(layer);
            using var owned = module;
            using var model = FunctionalModel.FromModule(module);
            using var scope = NewDisposeScope();
            module.train(training);
            var x = input();

            var actual = model.Forward(new[] { x }, model.Parameters, new ForwardContext { Training = training });
            var expected = module.forward(x);

            actual.shape.Should().Equal(expected.shape);
            if (layer == "Dropout" && training)
            {
                // The mask comes from the model's own seeded generator: each element is dropped or scaled by 1/(1-p).
                var kept = actual.ne(zeros_like(actual));
                MaxAbs(actual.masked_select(kept), x.masked_select(kept).div(tensor(0.7, dtype: ScalarType.Float64))).Should().BeLessThan(1e-12);
                kept.to(ScalarType.Float64).mean().ToDouble().Should().BeInRange(0.3, 0.95);
                continue;
            }

            MaxAbs(actual, expected).Should().BeLessThan(1e-6, $"{layer} in {(training ? "training" : "evaluation")} mode");
            var moduleBuffers = module.named_buffers().ToArray();
            model.BufferNames.Should().Equal(moduleBuffers.Select(b => b.name));
            for (int i = 0; i < moduleBuffers.Length; i++)
            {
                MaxAbs(model.Buffers[i], moduleBuffers[i].buffer).Should().BeLessThan(1e-12, $"{moduleBuffers[i].name} after a {(training ? "training" : "evaluation")} pass");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ModuleCases.LayerNames), MemberType = typeof(ModuleCases))]
    public void ToModule_EveryLayer_RoundTripsWeightsExactly_AndLeavesTheUsersModuleAlone(string layer)
    {
        var (module, input) = ModuleCases.Layer(layer);
        using var owned = module;
        using var model = FunctionalModel.FromModule(module);
        model.ParameterNames.Should().Equal(module.named_parameters().Select(p => p.name));
        double[] before = TestEpisodes.Flatten(module.parameters());
        using (no_grad())
        {
            using var one = 1.0.ToScalar();
            foreach (var p in model.Parameters)
            {
                p.add_(one);
            }
        }

        using var exported = model.ToModule();

        TestEpisodes.Flatten(module.parameters()).Should().Equal(before, "the conversion copies the weights");
        var exportedParameters = exported.named_parameters().ToArray();
        exportedParameters.Select(p => p.name).Should().Equal(model.ParameterNames);
        TestEpisodes.Flatten(exportedParameters.Select(p => p.parameter)).Should().Equal(TestEpisodes.Flatten(model.Parameters));
        var exportedBuffers = exported.named_buffers().ToArray();
        exportedBuffers.Select(b => b.name).Should().Equal(model.BufferNames);
        TestEpisodes.Flatten(exportedBuffers.Select(b => b.buffer)).Should().Equal(TestEpisodes.Flatten(model.Buffers));
        exported.named_modules().Select(m => (m.name, m.module.GetType())).Should().Equal(module.named_modules().Select(m => (m.name, m.module.GetType())));

        using var scope = NewDisposeScope();
        exported.eval();
        var x = input();
        MaxAbs(exported.forward(x), model.Forward(new[] { x }, model.Parameters, new ForwardContext { Training = false })).Should().BeLessThan(1e-12);
    }

    [Fact]
    public void FromModule_UnsupportedModule_ThrowsNamingPathTypeAndSupportedList()
    {
        using var net = nn.Sequential(("body", nn.Sequential(("fc", nn.Linear(2, 2)), ("act", nn.Hardtanh()))), ("head", nn.Linear(2, 1)));

        var act = () => FunctionalModel.FromModule(net);

        act.Should().Throw<ArgumentException>().WithMessage("*'body.act'*Hardtanh*Supported modules: Sequential, ResidualBlock, Linear, Conv1d*derive from FunctionalModel*");
    }

    [Fact]
    public void FromModule_UnsupportedSetting_ThrowsAtConversion()
    {
        using var net = nn.Sequential(("conv", nn.Conv2d(1, 2, 3, padding: 1, padding_mode: TorchSharp.PaddingModes.Reflect)));

        var act = () => FunctionalModel.FromModule(net);

        act.Should().Throw<ArgumentException>().WithMessage("*'conv'*Conv2d*padding mode Reflect*");
    }

    [Fact]
    public void FromModule_IssueNetwork_NamesHeadBuffersAndBatching()
    {
        using var net = IssueNetwork();
        using var model = FunctionalModel.FromModule(net);

        model.ParameterNames.Should().Equal("conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "conv2.weight", "conv2.bias", "bn2.weight", "bn2.bias", "head.weight", "head.bias");
        model.BufferNames.Should().Contain(new[] { "bn1.running_mean", "bn2.running_var", "bn2.num_batches_tracked" });
        model.HeadStart.Should().Be(8);
        model.DType.Should().Be(ScalarType.Float32);
        model.SupportsTaskBatching.Should().BeFalse("convolutions loop over tasks, which measured slower than per-task runs");
        using var batched = FunctionalModel.FromModule(net, new ModuleConversionOptions { TaskBatching = true });
        batched.SupportsTaskBatching.Should().BeTrue();
        using var scope = NewDisposeScope();
        model.Forward(rand(3, 1, 28, 28)).shape.Should().Equal(3, 5);
    }

    internal static TorchSharp.Modules.Sequential IssueNetwork() => nn.Sequential(
        ("conv1", nn.Conv2d(1, 32, 3, padding: 1)), ("bn1", nn.BatchNorm2d(32)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(32, 32, 3, padding: 1)), ("bn2", nn.BatchNorm2d(32)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
        ("flat", nn.Flatten()), ("drop", nn.Dropout(0.1)), ("head", nn.Linear(32 * 7 * 7, 5)));

    /// <summary>
    /// The largest |a − b|. Computed as a + (−1)·b with a held Scalar: tensor subtraction passes TorchSharp's own
    /// temporary alpha Scalar, which a collection on another thread (the runner's) can free mid-call, giving garbage
    /// differences such as 8e236 in about one full run in five.
    /// </summary>
    internal static double MaxAbs(Tensor a, Tensor b)
    {
        if (a.numel() == 0)
        {
            return 0;
        }

        using var difference = a.add(b, MinusOne);
        using var absolute = difference.abs();
        using var max = absolute.max();
        return max.ToDouble();
    }
}
