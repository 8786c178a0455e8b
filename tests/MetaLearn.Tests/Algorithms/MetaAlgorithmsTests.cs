using MetaLearn.Algorithms;
using MetaLearn.Models;

namespace MetaLearn.Tests.Algorithms;

public sealed class MetaAlgorithmsTests
{
    [Theory]
    [InlineData("maml", typeof(Maml))]
    [InlineData("FOMAML", typeof(Maml))]
    [InlineData("metasgd", typeof(MetaSgd))]
    [InlineData("anil", typeof(Anil))]
    [InlineData("reptile", typeof(Reptile))]
    [InlineData("protonet", typeof(PrototypicalNetworks))]
    [InlineData("imaml", typeof(Imaml))]
    [InlineData("r2d2", typeof(R2D2))]
    [InlineData("cavia", typeof(Cavia))]
    public void Create_KnownName_ReturnsThatAlgorithmNamedAsAsked(string name, Type expected)
    {
        using var model = new Mlp(MlpOptions.WithLayers(2, 8, 3));
        using var algorithm = MetaAlgorithms.Create(name, model);
        algorithm.Should().BeOfType(expected);
        algorithm.Name.Should().Be(name.ToLowerInvariant());
        algorithm.Model.Should().BeSameAs(model);
    }

    [Fact]
    public void Create_PassesInnerOptions_ToGradientLearnersAndReptile()
    {
        using var model = new Mlp(MlpOptions.WithLayers(2, 8, 3));
        var inner = new InnerLoopOptions { Steps = 3, StepSize = 0.2, TaskBatching = false };
        using (var maml = (Maml)MetaAlgorithms.Create("maml", model, inner with { FirstOrder = true }))
        {
            maml.Options.Steps.Should().Be(3);
            maml.Options.FirstOrder.Should().BeFalse("'maml' names the second-order algorithm");
        }

        using (var fomaml = (Maml)MetaAlgorithms.Create("fomaml", model, inner))
        {
            fomaml.Options.FirstOrder.Should().BeTrue();
        }

        using var reptile = (Reptile)MetaAlgorithms.Create("reptile", model, inner);
        reptile.Options.Should().Be(new ReptileOptions { Steps = 3, StepSize = 0.2, TaskBatching = false });
        using var imaml = (Imaml)MetaAlgorithms.Create("imaml", model, inner);
        imaml.Options.Should().Be(new ImamlOptions { Steps = 3, StepSize = 0.2, TaskBatching = false });
        using var cavia = (Cavia)MetaAlgorithms.Create("cavia", model, inner);
        cavia.Options.Should().Be(new CaviaOptions { Steps = 3, StepSize = 0.2, TaskBatching = false });
        using var protonet = (PrototypicalNetworks)MetaAlgorithms.Create("protonet", model, inner);
        protonet.TaskBatching.Should().BeFalse();
    }

    [Fact]
    public void Create_UnknownName_ThrowsListingTheNames()
    {
        using var model = new Mlp(MlpOptions.WithLayers(2, 3));
        var act = () => MetaAlgorithms.Create("mamll", model);
        act.Should().Throw<ArgumentException>().WithMessage("*'mamll'*maml, fomaml, metasgd, anil, reptile, protonet, imaml, r2d2, cavia*");
    }
}
