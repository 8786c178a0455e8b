using MathNet.Numerics.LinearAlgebra;
using MetaLearn.Datasets;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Datasets;

public sealed class MakeClassificationTests
{
    private static readonly MakeClassificationOptions Unshuffled = new() { Shuffle = false };

    [Fact]
    public void Generate_SameSeed_IdenticalData()
    {
        using var a = MakeClassification.GenerateDetailed(new MakeClassificationOptions(), 7);
        using var b = MakeClassification.GenerateDetailed(new MakeClassificationOptions(), 7);

        a.Data.ToRowMajor().Should().Equal(b.Data.ToRowMajor());
        a.Data.Labels.Should().Equal(b.Data.Labels);
        a.SourceColumns.Should().Equal(b.SourceColumns);
    }

    [Fact]
    public void Generate_SeedOrRandom_ReturnsTheDetailedDrawsData()
    {
        var o = new MakeClassificationOptions { Samples = 40, Features = 6 };
        using var detailed = MakeClassification.GenerateDetailed(o, 7);

        using var fromSeed = MakeClassification.Generate(o, 7);
        using var fromRandom = MakeClassification.Generate(o, SyntheticRandom.Create(7));

        fromSeed.ToRowMajor().Should().Equal(detailed.Data.ToRowMajor());
        fromSeed.Labels.Should().Equal(detailed.Data.Labels);
        fromRandom.ToRowMajor().Should().Equal(detailed.Data.ToRowMajor());
        fromRandom.Labels.Should().Equal(detailed.Data.Labels);
    }

    [Fact]
    public void Generate_DifferentSeed_DifferentData()
    {
        using var a = MakeClassification.Generate(new MakeClassificationOptions(), 7);
        using var b = MakeClassification.Generate(new MakeClassificationOptions(), 8);

        a.ToRowMajor().Should().NotEqual(b.ToRowMajor());
    }

    [Fact]
    public void Generate_Unshuffled_ColumnsAreInformativeRedundantRepeatedUseless()
    {
        var o = Unshuffled with { Features = 10, Informative = 3, Redundant = 2, Repeated = 1 };

        using var r = MakeClassification.GenerateDetailed(o, 3);

        r.FeatureKinds.Should().Equal(
            FeatureKind.Informative, FeatureKind.Informative, FeatureKind.Informative, FeatureKind.Redundant, FeatureKind.Redundant,
            FeatureKind.Repeated, FeatureKind.Useless, FeatureKind.Useless, FeatureKind.Useless, FeatureKind.Useless);
        r.InformativeFeatures.Should().Equal(0, 1, 2);
        r.RedundantFeatures.Should().Equal(3, 4);
    }

    [Fact]
    public void Generate_Redundant_AreExactLinearCombinationsOfInformative()
    {
        var o = Unshuffled with { Samples = 200, Features = 12, Informative = 3, Redundant = 5, Repeated = 2, Classes = 2 };

        using var data = MakeClassification.Generate(o, 11);
        var x = data.ToMatrix();

        // Informative columns alone have full rank 3; adding the 5 redundant and 2 repeated columns keeps it 3,
        // while one noise column raises it to 4.
        x.SubMatrix(0, 200, 0, 3).Rank().Should().Be(3);
        x.SubMatrix(0, 200, 0, 10).Rank().Should().Be(3);
        x.SubMatrix(0, 200, 0, 11).Rank().Should().Be(4);
    }

    [Fact]
    public void Generate_Shuffled_MetadataLocatesInformativeAndRedundantColumns()
    {
        var o = new MakeClassificationOptions { Samples = 150, Features = 15, Informative = 4, Redundant = 6 };

        using var r = MakeClassification.GenerateDetailed(o, 5);
        var x = r.Data.ToMatrix();
        var structured = r.InformativeFeatures.Concat(r.RedundantFeatures).ToArray();

        Matrix<double>.Build.DenseOfColumnVectors(structured.Select(c => x.Column(c))).Rank().Should().Be(4);
        r.SourceColumns.Should().NotEqual(Enumerable.Range(0, 15), "features are shuffled");
    }

    [Fact]
    public void Generate_Repeated_CopiesOfInformativeOrRedundantColumns()
    {
        var o = Unshuffled with { Features = 8, Informative = 2, Redundant = 2, Repeated = 3 };

        using var d = MakeClassification.Generate(o, 2);

        for (int r = 4; r < 7; r++)
        {
            var column = d.Column(r);
            Enumerable.Range(0, 4).Count(s => d.Column(s).SequenceEqual(column)).Should().BeGreaterThanOrEqualTo(1);
        }
    }

    [Fact]
    public void SamplesPerCluster_BalancedWithRemainder_FollowsScikitLearnRule()
    {
        // 3 classes, 2 clusters each: int(100 * (1/3) / 2) = int(16.67) = 16 per cluster, 96 in all; the 4 left over
        // go to clusters 0, 1, 2, 3 -> [17, 17, 17, 17, 16, 16]; cluster k has class k % 3, so classes get 34, 33, 33.
        var o = Unshuffled with { Informative = 3, Classes = 3, ClustersPerClass = 2, FlipY = 0 };

        MakeClassification.SamplesPerCluster(o).Should().Equal(17, 17, 17, 17, 16, 16);
        using var data = MakeClassification.Generate(o, 1);
        var labels = data.Labels;
        Enumerable.Range(0, 3).Select(c => labels.Count(l => l == c)).Should().Equal(34, 33, 33);
    }

    [Fact]
    public void Generate_ShortWeights_LastInferredAndFlooredAsScikitLearn()
    {
        // Weights [0.5, 0.3] -> last = 1 - 0.8 = 0.19999999999999996 in floating point; 101 samples give
        // int(50.5) = 50, int(30.3) = 30, int(20.199999999999996) = 20, total 100; the 1 left over goes to cluster 0.
        var o = Unshuffled with { Samples = 101, Informative = 2, Classes = 3, ClustersPerClass = 1, Weights = new[] { 0.5, 0.3 }, FlipY = 0 };

        using var data = MakeClassification.Generate(o, 4);
        var labels = data.Labels;

        Enumerable.Range(0, 3).Select(c => labels.Count(l => l == c)).Should().Equal(51, 30, 20);
    }

    [Fact]
    public void Generate_WeightsWithFlips_ClassSharesNearWeights()
    {
        var o = new MakeClassificationOptions { Samples = 5000, Weights = new[] { 0.8, 0.2 }, FlipY = 0.01 };

        using var data = MakeClassification.Generate(o, 9);
        var labels = data.Labels;

        // Flipping moves about 0.01 * 0.5 * (0.8 - 0.2) = 0.3% of the mass towards balance, within the tolerance.
        (labels.Count(l => l == 0) / 5000.0).Should().BeApproximately(0.8, 0.015);
    }

    [Fact]
    public void Generate_FlipY_ReplacesThatShareOfLabels()
    {
        var o = new MakeClassificationOptions { Samples = 20000, Informative = 3, Classes = 3, FlipY = 0.2 };

        using var r = MakeClassification.GenerateDetailed(o, 13);
        var y = r.Data.Labels;
        int n = y.Count;

        // Picked share ~ 0.2 (sd 0.003); a picked label gets a uniform class, so 0.2 * (1 - 1/3) = 0.133 change.
        (r.Replaced.Count(p => p) / (double)n).Should().BeApproximately(0.2, 0.012);
        (Enumerable.Range(0, n).Count(i => y[i] != r.CleanLabels[i]) / (double)n).Should().BeApproximately(0.2 * 2 / 3, 0.012);
        Enumerable.Range(0, n).Where(i => !r.Replaced[i]).Should().OnlyContain(i => y[i] == r.CleanLabels[i]);
        Enumerable.Range(0, n).Should().OnlyContain(i => r.CleanLabels[i] == r.Clusters[i] % 3);
    }

    [Fact]
    public void Generate_ShiftAndScale_AppliedAfterGeneration()
    {
        using var plain = MakeClassification.Generate(Unshuffled, 21);
        using var moved = MakeClassification.Generate(Unshuffled with { Shift = new[] { 3.0 }, Scale = new[] { 2.0 } }, 21);

        for (int i = 0; i < plain.Count; i++)
        {
            for (int j = 0; j < plain.Features; j++)
            {
                moved[i, j].Should().Be((plain[i, j] + 3) * 2);
            }
        }
    }

    [Fact]
    public void Generate_PerFeatureShift_AddsEachColumnsValue()
    {
        var o = Unshuffled with { Features = 5, Redundant = 0 };
        using var plain = MakeClassification.Generate(o, 22);
        using var moved = MakeClassification.Generate(o with { Shift = new[] { 0.0, 1, 2, 3, 4 } }, 22);

        Enumerable.Range(0, 5).Select(j => moved[17, j] - plain[17, j]).Should().Equal(
            new[] { 0.0, 1, 2, 3, 4 }, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void Generate_NullShiftAndScale_DrawsThemInScikitLearnRanges()
    {
        var o = Unshuffled with { ClassSep = 2.0 };
        using var plain = MakeClassification.Generate(o, 23);

        using var r = MakeClassification.GenerateDetailed(o with { Shift = null, Scale = null }, 23);

        r.Shift.Should().OnlyContain(s => s >= -2.0 && s <= 2.0).And.OnlyHaveUniqueItems();
        r.Scale.Should().OnlyContain(s => s >= 1.0 && s <= 101.0);
        r.Data[5, 3].Should().Be((plain[5, 3] + r.Shift[3]) * r.Scale[3]);
    }

    [Fact]
    public void Generate_Shuffle_PermutesRowsAndColumnsOfTheUnshuffledDraw()
    {
        var o = new MakeClassificationOptions { Samples = 50, Features = 6, Redundant = 1, Repeated = 0 };
        using var plain = MakeClassification.GenerateDetailed(o with { Shuffle = false }, 31);
        using var shuffled = MakeClassification.GenerateDetailed(o, 31);
        var rows = new HashSet<string>(Enumerable.Range(0, 50).Select(i => string.Join(",", plain.Data.Row(i)) + "|" + plain.Data.Labels[i]));

        for (int i = 0; i < 50; i++)
        {
            var restored = new double[6];
            for (int j = 0; j < 6; j++)
            {
                restored[shuffled.SourceColumns[j]] = shuffled.Data[i, j];
            }

            rows.Should().Contain(string.Join(",", restored) + "|" + shuffled.Data.Labels[i]);
        }

        shuffled.Data.Labels.Should().NotEqual(plain.Data.Labels);
    }

    [Fact]
    public void Generate_Hypercube_CentroidsAreDistinctVerticesOfSideTwiceClassSep()
    {
        var o = new MakeClassificationOptions { Informative = 4, Classes = 4, ClustersPerClass = 3, ClassSep = 1.5 };

        using var r = MakeClassification.GenerateDetailed(o, 3);
        var centroids = r.Centroids;

        centroids.Should().HaveCount(12);
        centroids.SelectMany(c => c).Should().OnlyContain(v => v == 1.5 || v == -1.5);
        centroids.Select(c => string.Join(",", c)).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Generate_NotHypercube_CentroidsShrunkByRandomFactors()
    {
        var o = new MakeClassificationOptions { Informative = 4, Classes = 4, ClustersPerClass = 3, ClassSep = 1.5, Hypercube = false };

        using var r = MakeClassification.GenerateDetailed(o, 3);
        var values = r.Centroids.SelectMany(c => c).ToArray();

        values.Should().OnlyContain(v => Math.Abs(v) <= 1.5);
        values.Count(v => Math.Abs(v) < 1.5).Should().Be(values.Length);
    }

    [Fact]
    public void Generate_MoreThanThirtyInformative_CentroidsStillDistinctVertices()
    {
        var o = new MakeClassificationOptions { Features = 40, Informative = 33, Redundant = 0, Classes = 5, ClustersPerClass = 2, Samples = 50 };

        using var r = MakeClassification.GenerateDetailed(o, 3);
        var centroids = r.Centroids;

        centroids.Should().OnlyContain(c => c.Count == 33 && c.All(v => v == 1.0 || v == -1.0));
        centroids.Select(c => string.Join(",", c)).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Generate_ClusterMeans_NearTheirCentroids()
    {
        // X_k = Z A + c with Z standard normal: the mean is c, the per-coordinate variance at most 2 (|a| <= 1, 2 terms).
        var o = Unshuffled with { Samples = 8000, Features = 2, Informative = 2, Redundant = 0, ClassSep = 3, FlipY = 0 };

        using var r = MakeClassification.GenerateDetailed(o, 17);

        for (int k = 0; k < 4; k++)
        {
            var members = Enumerable.Range(0, 8000).Where(i => r.Clusters[i] == k).ToArray();
            members.Average(i => r.Data[i, 0]).Should().BeApproximately(r.Centroids[k][0], 0.15);
            members.Average(i => r.Data[i, 1]).Should().BeApproximately(r.Centroids[k][1], 0.15);
        }
    }

    [Fact]
    public void Generate_Data_IsFloat64TensorWithTheValuesTheIndexerReads()
    {
        using var d = MakeClassification.Generate(new MakeClassificationOptions { Samples = 30 }, 1);

        d.Examples.shape.Should().Equal(30, 20);
        d.Examples.dtype.Should().Be(ScalarType.Float64);
        d.Examples[4, 7].item<double>().Should().Be(d[4, 7]);
        d.Row(4)[7].Should().Be(d[4, 7]);
        d.Column(7)[4].Should().Be(d[4, 7]);
        d.ToArray()[4, 7].Should().Be(d[4, 7]);
        d.Classes.Select(c => c.Name).Should().Equal("0", "1");
    }
}
