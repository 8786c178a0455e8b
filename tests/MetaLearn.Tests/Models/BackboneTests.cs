using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Tests.Algorithms;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Models;

public sealed class BackboneTests
{
    [Fact]
    public void Constructor_ANetworkWhoseForwardIsCode_WhichConversionRefuses_RunsAsABackbone()
    {
        using (var module = new ResidualNet())
        {
            var convert = () => FunctionalModel.FromModule(module);
            convert.Should().Throw<ArgumentException>().WithMessage("*ResidualNet*");
        }

        using var backbone = new Backbone(() => new ResidualNet(), new BackboneOptions { Ways = 3, Features = ResidualNet.Features(), Seed = 4 });
        var moduleNames = backbone.Module.named_parameters().Select(p => p.name).ToArray();
        backbone.ParameterNames.Should().Equal(moduleNames.Append("head.weight").Append("head.bias"));
        backbone.HeadStart.Should().Be(moduleNames.Length);
        backbone.BufferNames.Should().Equal(backbone.Module.named_buffers().Select(b => b.name));
        backbone.Parameters.Take(backbone.HeadStart).Should().Equal(backbone.Module.parameters(), (a, b) => ReferenceEquals(a, b), "the outer loop trains the module's own parameters");
        backbone.DType.Should().Be(ScalarType.Float64);
        backbone.Parameters[^2].shape.Should().Equal(3, ResidualNet.Features());
    }

    [Fact]
    public void Forward_TrainingMode_RunsTheModuleAndUpdatesItsRunningStatistics_EvaluationModeRunsAFrozenCopyAndChangesNothing()
    {
        using var backbone = new Backbone(() => new ResidualNet(dropout: 0));
        using var reference = new ResidualNet(dropout: 0);
        using var scope = NewDisposeScope();
        var x = randn(new long[] { 6, 1, 8, 8 }, dtype: ScalarType.Float64, generator: new Generator(3));
        var net = (ResidualNet)backbone.Module;

        var evaluated = backbone.Forward(new[] { x }, backbone.Parameters, new ForwardContext { Training = false });
        reference.eval();
        Max(evaluated, reference.forward(x)).Should().BeLessThan(1e-12, "evaluation runs the module's values in eval() mode");
        net.Calls.Should().Be(0, "evaluation never runs the trained module itself");
        double[] buffers = TestEpisodes.Flatten(backbone.Buffers);

        var trained = backbone.Forward(new[] { x }, backbone.Parameters, default);
        reference.train();
        Max(trained, reference.forward(x)).Should().BeLessThan(1e-12, "training runs the module in train() mode");
        net.Calls.Should().Be(1);
        TestEpisodes.Flatten(backbone.Buffers).Should().NotEqual(buffers, "a training pass updates batch norm's running statistics");
    }

    [Fact]
    public void Forward_TaskBatched_RunsAllTasksThroughTheModuleAsOneBatch()
    {
        using var backbone = new Backbone(() => new ResidualNet(), new BackboneOptions { Ways = 2, Features = ResidualNet.Features() });
        using var scope = NewDisposeScope();
        var x = randn(new long[] { 3, 4, 1, 8, 8 }, dtype: ScalarType.Float64, generator: new Generator(5));
        var weights = backbone.Parameters.Select(p => (Tensor)p.unsqueeze(0).expand(Prepend(3, p.shape))).ToArray();
        var evaluation = new ForwardContext(0, TaskBatched: true) { Training = false };

        var batched = backbone.Forward(new[] { x }, weights, evaluation);
        var flat = backbone.Forward(new[] { x.flatten(0, 1) }, backbone.Parameters, evaluation with { TaskBatched = false });

        batched.shape.Should().Equal(3, 4, 2);
        Max(batched.flatten(0, 1), flat).Should().BeLessThan(1e-12);
    }

    /// <summary>
    /// A state dict PyTorch wrote loads into a backbone (its names are the module's), and the backbone's evaluation
    /// passes (its frozen copies) give PyTorch's eval-mode outputs.
    /// </summary>
    [Fact]
    public void PyTorchWeights_LoadedIntoABackbone_GivePyTorchsOutputs()
    {
        using var backbone = new Backbone(() => PyTorchFixture.ConvModule());
        PyTorchWeights.Load(backbone, PyTorchFixture.ConvNetFile);
        using var scope = NewDisposeScope();
        var (input, expected) = PyTorchFixture.ConvData();

        var actual = backbone.Forward(new[] { input }, backbone.Parameters, new ForwardContext { Training = false });

        PyTorchFixture.MaxAbs(actual, expected).Should().BeLessThan(1e-5);
    }

    /// <summary>
    /// A module whose parameters are made with <c>new Parameter(tensor)</c>, built (and its frozen copies built) while the
    /// caller has dispose scopes open, keeps them when those scopes end.
    /// </summary>
    [Fact]
    public void Backbone_BuiltAndAdaptedInsideDisposeScopes_KeepsItsModulesParameters()
    {
        Backbone backbone;
        using (NewDisposeScope())
        {
            backbone = new Backbone(() => new ScaledFeatures());
        }

        using (backbone)
        using (var learner = new PrototypicalNetworks(backbone))
        using (var episode = AdaptationCases.Episode("backbone", 2))
        {
            double first;
            using (NewDisposeScope())
            {
                first = MetaLearn.Evaluation.Evaluator.Score(learner, episode).Loss;
            }

            using (NewDisposeScope())
            {
                MetaLearn.Evaluation.Evaluator.Score(learner, episode).Loss.Should().Be(first, "the cached frozen copy outlived the scope it was built in");
            }

            backbone.Parameters.Should().OnlyContain(p => !p.IsInvalid);
        }
    }

    [Fact]
    public void Options_Defaults_AreNoHeadAndSeedZero()
    {
        var options = new BackboneOptions();
        options.Ways.Should().Be(0);
        options.Features.Should().Be(0);
        options.Seed.Should().Be(0);
    }

    [Fact]
    public void Options_InvalidValues_AreRefusedWithTheOptionsName()
    {
        var ways = () => new BackboneOptions { Ways = -1 };
        var features = () => new BackboneOptions { Features = -2 };
        ways.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Ways");
        features.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Features");
        var headWithoutFeatures = () => new Backbone(() => new ResidualNet(), new BackboneOptions { Ways = 3 });
        headWithoutFeatures.Should().Throw<ArgumentException>().WithMessage("*Features*");
    }

    [Fact]
    public void Forward_FeaturesOtherThanTheOptionsSay_TellsWhichValueToSet()
    {
        using var backbone = new Backbone(() => new ResidualNet(), new BackboneOptions { Ways = 2, Features = 5 });
        using var scope = NewDisposeScope();
        var act = () => backbone.Forward(new[] { zeros(2, 1, 8, 8, dtype: ScalarType.Float64) }, backbone.Parameters, default);
        act.Should().Throw<InvalidOperationException>().WithMessage($"*outputs {ResidualNet.Features()} features*set Features = {ResidualNet.Features()}*");
    }

    [Fact]
    public void Freeze_WhileTheModuleIsUnchanged_SharesOneCopy_AChangedModuleGetsANewOne_AndOldLeasesKeepTheirValues()
    {
        using var backbone = new Backbone(() => new ResidualNet());
        using var first = backbone.Freeze();
        using var second = backbone.Freeze();
        second.Parameters[0].Should().BeSameAs(first.Parameters[0], "an unchanged module is copied once");
        double[] kept = TestEpisodes.Flatten(first.Parameters);

        using (no_grad())
        using (var half = 0.5.ToScalar())
        {
            backbone.Parameters[0].mul_(half);
        }

        using var third = backbone.Freeze();
        third.Parameters[0].Should().NotBeSameAs(first.Parameters[0]);
        TestEpisodes.Flatten(third.Parameters.Take(1)).Should().Equal(TestEpisodes.Flatten(backbone.Parameters.Take(1)));
        TestEpisodes.Flatten(first.Parameters).Should().Equal(kept, "a lease keeps the copy it was given");
        first.Parameters[0].requires_grad.Should().BeFalse();
    }

    [Fact]
    public void Adapt_AFactoryThatBuildsAnotherArchitecture_IsRefusedWithAMessage()
    {
        int calls = 0;
        using var backbone = new Backbone(() => new ResidualNet(channels: calls++ == 0 ? 6 : 4));
        using var learner = new PrototypicalNetworks(backbone);
        using var episode = AdaptationCases.Episode("backbone", 1);
        var act = () => learner.Adapt(episode.SupportInputs, episode.SupportTargets);
        act.Should().Throw<InvalidOperationException>().WithMessage("*same architecture every call*");
    }

    private static double Max(Tensor a, Tensor b) => (a - b).abs().max().ToDouble();

    private static long[] Prepend(long first, long[] shape) => new[] { first }.Concat(shape).ToArray();

    /// <summary>A module as users write one: a parameter made with <c>new Parameter(tensor)</c>; features = flattened input times it.</summary>
    private sealed class ScaledFeatures : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Parameter scale;

        public ScaledFeatures()
            : base(nameof(ScaledFeatures))
        {
            scale = new TorchSharp.Modules.Parameter(ones(64, dtype: ScalarType.Float64));
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => input.flatten(1).mul(scale);
    }
}
