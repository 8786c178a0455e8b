using MetaLearn.Datasets;

namespace MetaLearn.Tests.Datasets;

public sealed class MakeClassificationOptionsTests
{
    [Fact]
    public void Defaults_MatchScikitLearnDefaults()
    {
        var o = new MakeClassificationOptions();

        o.Samples.Should().Be(100);
        o.Features.Should().Be(20);
        o.Informative.Should().Be(2);
        o.Redundant.Should().Be(2);
        o.Repeated.Should().Be(0);
        o.Classes.Should().Be(2);
        o.ClustersPerClass.Should().Be(2);
        o.Weights.Should().BeNull();
        o.FlipY.Should().Be(0.01);
        o.ClassSep.Should().Be(1.0);
        o.Hypercube.Should().BeTrue();
        o.Shift.Should().Equal(0.0);
        o.Scale.Should().Equal(1.0);
        o.Shuffle.Should().BeTrue();
        o.Useless.Should().Be(16);
        o.Clusters.Should().Be(4);
        o.Should().Be(new MakeClassificationOptions(), "options compare by value, shift and scale included");
        (o with { Shift = new[] { 2.0 } }).Should().NotBe(o);
    }

    public static TheoryData<string, Func<MakeClassificationOptions>> InvalidValues() => new()
    {
        { "Samples", () => new MakeClassificationOptions { Samples = 0 } },
        { "Features", () => new MakeClassificationOptions { Features = 0 } },
        { "Informative", () => new MakeClassificationOptions { Informative = 0 } },
        { "Redundant", () => new MakeClassificationOptions { Redundant = -1 } },
        { "Repeated", () => new MakeClassificationOptions { Repeated = -1 } },
        { "Classes", () => new MakeClassificationOptions { Classes = 0 } },
        { "ClustersPerClass", () => new MakeClassificationOptions { ClustersPerClass = 0 } },
        { "FlipY", () => new MakeClassificationOptions { FlipY = -0.01 } },
        { "FlipY", () => new MakeClassificationOptions { FlipY = 1.01 } },
        { "ClassSep", () => new MakeClassificationOptions { ClassSep = 0 } },
        { "ClassSep", () => new MakeClassificationOptions { ClassSep = double.NaN } },
        { "Scale", () => new MakeClassificationOptions { Scale = new[] { 0.0 } } },
        { "Scale", () => new MakeClassificationOptions { Scale = new[] { 1.0, -2.0 } } },
        { "Shift", () => new MakeClassificationOptions { Shift = new[] { double.PositiveInfinity } } },
        { "Weights", () => new MakeClassificationOptions { Weights = new[] { 0.5, -0.1 } } },
    };

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void Init_InvalidValue_ThrowsNamingTheProperty(string property, Func<MakeClassificationOptions> create)
    {
        create.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(property);
    }

    [Fact]
    public void Validate_NotesCallWithDefaultClustersPerClass_RejectedWithHypercubeRule()
    {
        // The seed's call: n_informative=2, n_classes=3 and n_clusters_per_class left at 2 -> 6 clusters > 2^2 vertices.
        var o = new MakeClassificationOptions { Samples = 1000, Features = 20, Informative = 2, Redundant = 10, Classes = 3 };

        var act = () => MakeClassification.Generate(o, 42);

        act.Should().Throw<ArgumentException>()
            .WithMessage("Classes (3) * ClustersPerClass (2) = 6 must be smaller or equal 2^Informative (2^2 = 4)*Raise Informative to at least 3*");
    }

    [Fact]
    public void Validate_ExactlyAsManyClustersAsVertices_UsesEveryVertex()
    {
        // 2 classes * 2 clusters = 4 = 2^2: allowed, and the four centroids are the four vertices of [-1, 1]^2.
        var o = new MakeClassificationOptions { Informative = 2, Classes = 2, ClustersPerClass = 2 };

        using var result = MakeClassification.GenerateDetailed(o, 1);

        result.Centroids.Select(c => (c[0], c[1])).Should().BeEquivalentTo(new[] { (-1.0, -1.0), (-1.0, 1.0), (1.0, -1.0), (1.0, 1.0) });
    }

    [Fact]
    public void Validate_TooManyStructuredFeatures_RejectedWithSum()
    {
        var o = new MakeClassificationOptions { Features = 20, Informative = 5, Redundant = 10, Repeated = 6 };

        o.Invoking(x => x.Validate()).Should().Throw<ArgumentException>()
            .WithMessage("Informative (5) + Redundant (10) + Repeated (6) = 21 exceeds Features (20)*");
    }

    [Theory]
    [InlineData(new[] { 0.5 }, 3)]
    [InlineData(new[] { 0.2, 0.2, 0.2, 0.2 }, 3)]
    public void Validate_WeightsOfWrongLength_Rejected(double[] weights, int classes)
    {
        var o = new MakeClassificationOptions { Informative = 3, Classes = classes, Weights = weights };

        o.Invoking(x => x.Validate()).Should().Throw<ArgumentException>()
            .WithMessage($"Weights has {weights.Length} entries but Classes is {classes}*");
    }

    [Fact]
    public void Validate_WeightsSummingAboveOne_Rejected()
    {
        var o = new MakeClassificationOptions { Weights = new[] { 0.8, 0.4 } };

        o.Invoking(x => x.Validate()).Should().Throw<ArgumentException>().WithMessage("Weights sum to 1.2*more than 1*");
    }

    [Fact]
    public void Validate_PerFeatureShiftOrScaleOfWrongLength_Rejected()
    {
        var shift = new MakeClassificationOptions { Features = 4, Redundant = 0, Shift = new[] { 1.0, 2.0 } };
        var scale = new MakeClassificationOptions { Features = 4, Redundant = 0, Scale = new[] { 1.0, 2.0, 3.0 } };

        shift.Invoking(x => x.Validate()).Should().Throw<ArgumentException>().WithMessage("Shift has 2 values but Features is 4*");
        scale.Invoking(x => x.Validate()).Should().Throw<ArgumentException>().WithMessage("Scale has 3 values but Features is 4*");
    }
}
