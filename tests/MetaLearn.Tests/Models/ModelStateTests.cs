using MetaLearn.Models;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Models;

/// <summary>A model's state beyond its parameters: named buffers and generators, a fusion model's under its branches' prefixes.</summary>
public sealed class ModelStateTests
{
    [Fact]
    public void FusionModels_BuffersAndGenerators_AreTheBranchesUnderPrefixedNames()
    {
        using var late = new LateFusion(new IFunctionalModel[] { Converted(4, 3), new Mlp(MlpOptions.WithLayers(6, 3)) }, ownsModels: true);
        using var feature = new FeatureFusion(new IFunctionalModel[] { new Mlp(MlpOptions.WithLayers(6, 5)), Converted(4, 5) }, Converted(10, 3), ownsModels: true);

        late.BufferNames.Should().Equal("branch0.norm.running_mean", "branch0.norm.running_var", "branch0.norm.num_batches_tracked");
        late.Buffers.Should().HaveCount(3).And.ContainInOrder(((FunctionalModel)late.Branches[0]).Buffers);
        late.GeneratorNames.Should().Equal("branch0.noise", "branch1.noise");
        late.Generators.Should().Equal(late.Branches.SelectMany(b => b.Generators));
        feature.BufferNames.Should().Equal(
            "encoder1.norm.running_mean", "encoder1.norm.running_var", "encoder1.norm.num_batches_tracked",
            "head.norm.running_mean", "head.norm.running_var", "head.norm.num_batches_tracked");
        feature.Buffers.Should().Equal(feature.Encoders[1].Buffers.Concat(feature.Head.Buffers));
        feature.GeneratorNames.Should().Equal("encoder0.noise", "encoder1.noise", "head.noise");
    }

    [Fact]
    public void FunctionalModel_Generators_IsItsDropoutGenerator()
    {
        using var model = Converted(4, 3);
        using var scope = NewDisposeScope();
        var before = model.Generators[0].get_state().data<byte>().ToArray();

        model.Forward(new[] { randn(8, 4) }, model.Parameters, new ForwardContext { Training = true });

        model.GeneratorNames.Should().Equal("noise");
        model.Generators[0].get_state().data<byte>().ToArray().Should().NotEqual(before, "the dropout mask was drawn from it");
    }

    [Fact]
    public void IFunctionalModel_WithoutState_HasNoBuffersOrGenerators()
    {
        using var inner = new Mlp(MlpOptions.WithLayers(2, 2));
        IFunctionalModel model = new Forwarding(inner);

        model.Buffers.Should().BeEmpty();
        model.BufferNames.Should().BeEmpty();
        model.Generators.Should().BeEmpty();
        model.GeneratorNames.Should().BeEmpty();
    }

    private static FunctionalModel Converted(int features, int outputs)
    {
        using var module = nn.Sequential(("fc", nn.Linear(features, 8)), ("norm", nn.BatchNorm1d(8)), ("drop", nn.Dropout(0.5)), ("out", nn.Linear(8, outputs)));
        return FunctionalModel.FromModule(module);
    }

    /// <summary>A model written against the interface alone, which keeps the default (empty) state members.</summary>
    private sealed class Forwarding(IFunctionalModel inner) : IFunctionalModel
    {
        public IReadOnlyList<TorchSharp.Modules.Parameter> Parameters => inner.Parameters;

        public IReadOnlyList<string> ParameterNames => inner.ParameterNames;

        public int HeadStart => inner.HeadStart;

        public Device Device => inner.Device;

        public ScalarType DType => inner.DType;

        public bool SupportsTaskBatching => false;

        public Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context) => inner.Forward(inputs, weights, context);

        public void Dispose()
        {
        }
    }
}
