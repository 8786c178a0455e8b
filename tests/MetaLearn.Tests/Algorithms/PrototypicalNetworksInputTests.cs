using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Tasks;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

/// <summary>A class without a support example has no prototype: every ProtoNets entry point refuses it before embedding anything.</summary>
public sealed class PrototypicalNetworksInputTests
{
    [Fact]
    public void AccumulateMetaGradient_TaskBatchedEpisodeWithEmptyClass_ThrowsNamingClassAndTask()
    {
        using var model = new Mlp(new MlpOptions { LayerSizes = new[] { 4, 8 }, DType = ScalarType.Float64 });
        using var protonet = new PrototypicalNetworks(model, taskBatching: true);
        using var complete = Episode(new long[] { 0, 0, 1, 1, 2, 2 }, 1);
        using var missingClass1 = Episode(new long[] { 0, 0, 2, 2, 2, 0 }, 2);

        var thrown = Record.Exception(() => protonet.AccumulateMetaGradient(new[] { complete, missingClass1 }, 0));

        thrown.Should().BeOfType<ArgumentException>();
        thrown!.Message.Should().StartWith("Class 1 of task 1 in the meta-batch has no support example, so it has no prototype")
            .And.Contain("check the sampler's shots and the support labels");
        model.Parameters.Should().OnlyContain(p => ReferenceEquals(p.grad, null), "the check runs before the forward pass");
    }

    [Fact]
    public void PredictQuery_QueryClassWithoutSupportExample_ThrowsNamingTheClass_AsAdaptDoes()
    {
        using var model = new Mlp(new MlpOptions { LayerSizes = new[] { 4, 8 }, DType = ScalarType.Float64 });
        using var protonet = new PrototypicalNetworks(model);
        using var episode = Episode(new long[] { 0, 0, 0, 2, 2, 2 }, 3);

        var thrown = Record.Exception(() => protonet.PredictQuery(episode));

        thrown.Should().BeOfType<ArgumentException>().Which.Message.Should().StartWith("Class 1 has no support example, so it has no prototype", "PredictQuery is Adapt, then Predict");
    }

    [Fact]
    public void Adapt_SupportMissingAClassBelowTheLargest_ThrowsNamingIt()
    {
        using var model = new Mlp(new MlpOptions { LayerSizes = new[] { 4, 8 }, DType = ScalarType.Float64 });
        using var protonet = new PrototypicalNetworks(model);
        using var inputs = randn(4, 4, dtype: ScalarType.Float64);
        using var labels = tensor(new long[] { 0, 0, 3, 3 });

        var thrown = Record.Exception(() => protonet.Adapt(new[] { inputs }, labels));

        thrown.Should().BeOfType<ArgumentException>();
        thrown!.Message.Should().Be(
            "Classes 1, 2 have no support example, so they have no prototype; every class 0..3 needs at least one support example " +
            "(check the sampler's shots and the support labels). (Parameter 'supportTargets')");
    }

    private static Episode Episode(long[] supportLabels, int seed) => new(
        randn(supportLabels.Length, 4, dtype: ScalarType.Float64), tensor(supportLabels),
        randn(3, 4, dtype: ScalarType.Float64), tensor(new long[] { 0, 1, 2 }),
        new EpisodeInfo(3, 2, 1, seed));
}
