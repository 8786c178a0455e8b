using MetaLearn.Models;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Models;

/// <summary>
/// Who disposes what among models: whoever creates a model disposes it; a fusion disposes the models it is given only
/// when told to (<c>ownsModels</c>); disposing twice is harmless and a disposed model says so, naming its type.
/// </summary>
public sealed class ModelOwnershipTests
{
    [Fact]
    public void Dispose_Twice_IsHarmlessAndForwardThenThrowsNamingTheType()
    {
        var model = TestEpisodes.TinyClassifier();
        var weights = model.Parameters.ToArray();
        using var x = zeros(2, 4, dtype: ScalarType.Float64);

        model.Dispose();
        model.Dispose();

        FluentActions.Invoking(() => model.Forward(new[] { x }, weights, default))
            .Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be(typeof(Mlp).FullName);
        FluentActions.Invoking(() => model.ToModule())
            .Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be(typeof(Mlp).FullName);
    }

    [Fact]
    public void LateFusion_NotOwningItsBranches_LeavesThemToTheirCreator()
    {
        long live = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var branches = new[] { TestEpisodes.TinyClassifier(seed: 1), TestEpisodes.TinyClassifier(seed: 2) };
        var fusion = new LateFusion(branches);
        using (var x = zeros(2, 4, dtype: ScalarType.Float64))
        {
            fusion.Dispose();
            fusion.Dispose();

            FluentActions.Invoking(() => fusion.Forward(new[] { x, x }, fusion.Parameters, default))
                .Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be(typeof(LateFusion).FullName);
            using var scope = NewDisposeScope();
            branches[0].Forward(new[] { x }, branches[0].Parameters, default).shape.Should().Equal(2L, 3L);
        }

        foreach (var branch in branches)
        {
            branch.Dispose();
        }

        TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(live);
    }

    [Fact]
    public void LateFusion_OwningItsBranches_DisposesThemWithItself()
    {
        long live = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var branch = TestEpisodes.TinyClassifier(seed: 1);
        var fusion = new LateFusion(new IFunctionalModel[] { branch, TestEpisodes.TinyClassifier(seed: 2) }, ownsModels: true);
        using (var x = zeros(2, 4, dtype: ScalarType.Float64))
        {
            fusion.Dispose();

            FluentActions.Invoking(() => branch.Forward(new[] { x }, branch.Parameters, default))
                .Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be(typeof(Mlp).FullName);
        }

        TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(live);
    }

    [Fact]
    public void FeatureFusion_WithAHeadItBuilds_DisposesTheHeadButNotTheEncoders()
    {
        long live = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var encoders = new[] { new Mlp(MlpOptions.WithLayers(4, 5) with { DType = ScalarType.Float64 }), new Mlp(MlpOptions.WithLayers(4, 5) with { DType = ScalarType.Float64 }) };
        var fusion = new FeatureFusion(encoders, MlpOptions.WithLayers(10, 3));
        using (var x = zeros(2, 4, dtype: ScalarType.Float64))
        using (var features = zeros(2, 10, dtype: ScalarType.Float64))
        {
            using (var forward = NewDisposeScope())
            {
                fusion.Forward(new[] { x, x }, fusion.Parameters, default).shape.Should().Equal(2L, 3L);
            }

            fusion.Dispose();

            FluentActions.Invoking(() => fusion.Head.Forward(new[] { features }, fusion.Head.Parameters, default))
                .Should().Throw<ObjectDisposedException>();
            using var scope = NewDisposeScope();
            encoders[0].Forward(new[] { x }, encoders[0].Parameters, default).shape.Should().Equal(2L, 5L);
        }

        foreach (var encoder in encoders)
        {
            encoder.Dispose();
        }

        TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(live);
    }

    [Fact]
    public void LateFusion_WithADisposedBranch_IsRefused()
    {
        var branch = TestEpisodes.TinyClassifier();
        branch.Dispose();

        FluentActions.Invoking(() => new LateFusion(new IFunctionalModel[] { branch }))
            .Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be(typeof(Mlp).FullName);
    }

    [Fact]
    public void Backbone_DisposedTwice_IsHarmlessAndForwardThenThrowsNamingTheType()
    {
        var backbone = new Backbone(() => new ResidualNet(seed: 1), new BackboneOptions { Ways = 3, Features = ResidualNet.Features(), Seed = 1 });
        var weights = backbone.Parameters.ToArray();
        using var x = zeros(2, 1, 8, 8, dtype: ScalarType.Float64);

        backbone.Dispose();
        backbone.Dispose();

        FluentActions.Invoking(() => backbone.Forward(new[] { x }, weights, default))
            .Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be(typeof(Backbone).FullName);
    }
}
