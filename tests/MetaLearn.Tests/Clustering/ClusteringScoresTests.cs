using MetaLearn.Clustering;

namespace MetaLearn.Tests.Clustering;

public sealed class ClusteringScoresTests
{
    [Fact]
    public void Scores_IdenticalLabelings_AreOne()
    {
        var a = new[] { 0, 0, 1, 2, 2, 1, 0 };

        ClusteringScores.AdjustedRandIndex(a, a).Should().Be(1.0);
        ClusteringScores.NormalizedMutualInformation(a, a).Should().BeApproximately(1.0, 1e-12);
    }

    [Fact]
    public void Scores_RenamedLabels_AreOne()
    {
        var a = new[] { 0, 0, 1, 2, 2, 1, 0 };
        var renamed = new[] { 7, 7, -3, 4, 4, -3, 7 };

        ClusteringScores.AdjustedRandIndex(a, renamed).Should().BeApproximately(1.0, 1e-12);
        ClusteringScores.NormalizedMutualInformation(a, renamed).Should().BeApproximately(1.0, 1e-12);
    }

    [Fact]
    public void AdjustedRandIndex_HandExample_EightOverThirtyThree()
    {
        // a = [0,0,0,1,1,1], b = [0,0,1,1,2,2]. Contingency rows a0 = (2,1,0), a1 = (0,1,2).
        // Sum C(n_ij, 2) = 1 + 0 + 0 + 1 = 2; row pairs C(3,2) + C(3,2) = 6; column pairs 3 * C(2,2) = 3; C(6,2) = 15.
        // Expected = 6 * 3 / 15 = 1.2; max = (6 + 3) / 2 = 4.5; ARI = (2 - 1.2) / (4.5 - 1.2) = 0.8 / 3.3 = 8/33.
        var ari = ClusteringScores.AdjustedRandIndex(new[] { 0, 0, 0, 1, 1, 1 }, new[] { 0, 0, 1, 1, 2, 2 });

        ari.Should().BeApproximately(8.0 / 33.0, 1e-12);
    }

    [Fact]
    public void NormalizedMutualInformation_HandExample()
    {
        // Same labelings: p(a) = 1/2 each, p(b) = 1/3 each; nonzero cells (0,0) and (1,2) have p = 1/3 and
        // contribute (1/3) ln((1/3) / (1/6)) = (1/3) ln 2; cells (0,1), (1,1) have p = 1/6 = p(a) p(b) and contribute 0.
        // MI = (2/3) ln 2; H(a) = ln 2, H(b) = ln 3; NMI = MI / ((ln 2 + ln 3) / 2) = (4/3) ln 2 / ln 6 = 0.5158...
        var nmi = ClusteringScores.NormalizedMutualInformation(new[] { 0, 0, 0, 1, 1, 1 }, new[] { 0, 0, 1, 1, 2, 2 });

        nmi.Should().BeApproximately(4.0 / 3.0 * Math.Log(2) / Math.Log(6), 1e-12);
    }

    [Fact]
    public void Scores_IndependentLabelings_NmiZeroAriNegativeHalf()
    {
        // a = [0,0,1,1], b = [0,1,0,1]: every cell holds 1, so MI = 0 and Sum C(n_ij,2) = 0.
        // Row and column pairs are 2 each, C(4,2) = 6: expected = 4/6, max = 2, ARI = (0 - 2/3) / (2 - 2/3) = -1/2.
        var a = new[] { 0, 0, 1, 1 };
        var b = new[] { 0, 1, 0, 1 };

        ClusteringScores.NormalizedMutualInformation(a, b).Should().Be(0.0);
        ClusteringScores.AdjustedRandIndex(a, b).Should().BeApproximately(-0.5, 1e-12);
    }

    [Fact]
    public void Scores_BothSingleCluster_AreOneAsScikitLearn()
    {
        ClusteringScores.AdjustedRandIndex(new[] { 1, 1, 1 }, new[] { 5, 5, 5 }).Should().Be(1.0);
        ClusteringScores.NormalizedMutualInformation(new[] { 1, 1, 1 }, new[] { 5, 5, 5 }).Should().Be(1.0);
    }

    [Fact]
    public void Scores_DifferentLengths_Rejected()
    {
        FluentActions.Invoking(() => ClusteringScores.AdjustedRandIndex(new[] { 0, 1 }, new[] { 0 })).Should().Throw<ArgumentException>()
            .WithMessage("*same, non-zero number of points (got 2 and 1)*");
    }
}
