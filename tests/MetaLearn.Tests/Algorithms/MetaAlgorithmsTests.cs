using MetaLearn.Algorithms;
using MetaLearn.Models;

namespace MetaLearn.Tests.Algorithms;

public sealed class MetaAlgorithmsTests
{
    [Theory]
    [InlineData("maml", typeof(Maml))]
    [InlineData("FOMAML", typeof(Maml))]
    [InlineData("metasgd", typeof(Maml))]
    [InlineData("anil", typeof(Maml))]
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
    public void Create_NoOverrides_KeepsEachAlgorithmsOwnDefaults()
    {
        using var model = new Mlp(MlpOptions.WithLayers(2, 8, 3));
        using (var maml = (Maml)MetaAlgorithms.Create("maml", model))
        {
            maml.Options.Should().Be(new InnerLoopOptions());
        }

        using (var fomaml = (Maml)MetaAlgorithms.Create("fomaml", model))
        {
            fomaml.Options.Should().Be(new InnerLoopOptions { FirstOrder = true });
        }

        using (var anil = (Maml)MetaAlgorithms.Create("anil", model))
        {
            anil.Options.Should().Be(new InnerLoopOptions());
        }

        using (var reptile = (Reptile)MetaAlgorithms.Create("reptile", model))
        {
            reptile.Options.Should().Be(new ReptileOptions());
            reptile.Options.Steps.Should().Be(5, "Reptile's own default, not MAML's single step");
        }

        using (var imaml = (Imaml)MetaAlgorithms.Create("imaml", model))
        {
            imaml.Options.Should().Be(new ImamlOptions());
            imaml.Options.Steps.Should().BeGreaterThan(1, "iMAML's own default, not MAML's single step");
        }

        using (var cavia = (Cavia)MetaAlgorithms.Create("cavia", model))
        {
            cavia.Options.Should().Be(new CaviaOptions());
            cavia.Options.StepSize.Should().Be(1.0, "CAVIA's own context step size, not MAML's 0.01");
        }

        using (var r2d2 = (R2D2)MetaAlgorithms.Create("r2d2", model))
        {
            r2d2.Options.Should().Be(new R2D2Options());
        }

        using var protonet = (PrototypicalNetworks)MetaAlgorithms.Create("protonet", model);
        protonet.TaskBatching.Should().BeTrue();
    }

    [Fact]
    public void Create_Overrides_ChangeOnlyWhatTheySet()
    {
        using var model = new Mlp(MlpOptions.WithLayers(2, 8, 3));
        var loss = Loss.CrossEntropy(labelSmoothing: 0.1);
        var inner = new MetaAlgorithmOverrides { Steps = 3, StepSize = 0.2, TaskBatching = false };
        using (var maml = (Maml)MetaAlgorithms.Create("maml", model, inner with { Loss = loss }))
        {
            maml.Options.Should().Be(new InnerLoopOptions { Steps = 3, StepSize = 0.2, TaskBatching = false, Loss = loss });
        }

        using (var metasgd = (Maml)MetaAlgorithms.Create("metasgd", model, inner with { FirstOrder = true }))
        {
            metasgd.Options.Should().Be(new InnerLoopOptions { Steps = 3, StepSize = 0.2, TaskBatching = false, FirstOrder = true, StepSizes = StepSizeMode.PerElement });
        }

        using (var reptile = (Reptile)MetaAlgorithms.Create("reptile", model, new MetaAlgorithmOverrides { StepSize = 0.2 }))
        {
            reptile.Options.Should().Be(new ReptileOptions { StepSize = 0.2 }, "the steps and the outer step size stay Reptile's");
        }

        using (var imaml = (Imaml)MetaAlgorithms.Create("imaml", model, inner))
        {
            imaml.Options.Should().Be(new ImamlOptions { Steps = 3, StepSize = 0.2, TaskBatching = false });
        }

        using (var cavia = (Cavia)MetaAlgorithms.Create("cavia", model, new MetaAlgorithmOverrides { Steps = 2, FirstOrder = true }))
        {
            cavia.Options.Should().Be(new CaviaOptions { Steps = 2, FirstOrder = true }, "the context step size stays CAVIA's 1.0");
        }

        using (var r2d2 = (R2D2)MetaAlgorithms.Create("r2d2", model, new MetaAlgorithmOverrides { TaskBatching = false }))
        {
            r2d2.Options.Should().Be(new R2D2Options { TaskBatching = false });
        }

        using var protonet = (PrototypicalNetworks)MetaAlgorithms.Create("protonet", model, new MetaAlgorithmOverrides { TaskBatching = false });
        protonet.TaskBatching.Should().BeFalse();
    }

    [Theory]
    [InlineData("protonet", "Steps")]
    [InlineData("r2d2", "StepSize")]
    [InlineData("maml", "FirstOrder")]
    [InlineData("fomaml", "FirstOrder")]
    [InlineData("reptile", "FirstOrder")]
    [InlineData("imaml", "FirstOrder")]
    [InlineData("protonet", "FirstOrder")]
    [InlineData("r2d2", "Loss")]
    public void Create_OverrideThatDoesNotApply_IsRefusedNamingIt(string name, string setting)
    {
        using var model = new Mlp(MlpOptions.WithLayers(2, 8, 3));
        var overrides = setting switch
        {
            "Steps" => new MetaAlgorithmOverrides { Steps = 2 },
            "StepSize" => new MetaAlgorithmOverrides { StepSize = 0.1 },
            "Loss" => new MetaAlgorithmOverrides { Loss = Loss.CrossEntropy() },
            _ => new MetaAlgorithmOverrides { FirstOrder = name != "fomaml" },
        };

        var act = () => MetaAlgorithms.Create(name, model, overrides);

        act.Should().Throw<ArgumentException>().WithMessage($"*'{name}'*{setting}*").Which.ParamName.Should().Be("overrides");
    }

    [Theory]
    [InlineData("maml", false)]
    [InlineData("fomaml", true)]
    public void Create_FirstOrderThatMatchesTheName_IsAccepted(string name, bool firstOrder)
    {
        using var model = new Mlp(MlpOptions.WithLayers(2, 8, 3));
        using var maml = (Maml)MetaAlgorithms.Create(name, model, new MetaAlgorithmOverrides { FirstOrder = firstOrder });
        maml.Options.FirstOrder.Should().Be(firstOrder);
    }

    [Fact]
    public void Overrides_Defaults_AreAllUnset()
    {
        new MetaAlgorithmOverrides().Should().BeEquivalentTo(new { Steps = (int?)null, StepSize = (double?)null, FirstOrder = (bool?)null, TaskBatching = (bool?)null, Loss = (Loss?)null });
    }

    [Fact]
    public void Overrides_InvalidValues_AreRefusedWithWhatToChange()
    {
        ((Action)(() => _ = new MetaAlgorithmOverrides { Steps = 0 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*at least one step*");
        ((Action)(() => _ = new MetaAlgorithmOverrides { StepSize = double.NaN })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*positive and finite*");
        ((Action)(() => _ = new MetaAlgorithmOverrides { StepSize = -0.1 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*positive and finite*");
    }

    [Theory]
    [InlineData("maml", true)]
    [InlineData("CAVIA", true)]
    [InlineData("protonet", false)]
    [InlineData("r2d2", false)]
    public void HasInnerSteps_TellsWhichAlgorithmsTakeInnerSteps(string name, bool expected)
    {
        MetaAlgorithms.HasInnerSteps(name).Should().Be(expected);
    }

    [Fact]
    public void Create_UnknownName_ThrowsListingTheNames()
    {
        using var model = new Mlp(MlpOptions.WithLayers(2, 3));
        var act = () => MetaAlgorithms.Create("mamll", model);
        act.Should().Throw<ArgumentException>().WithMessage("*'mamll'*maml, fomaml, metasgd, anil, reptile, protonet, imaml, r2d2, cavia*");
    }
}
