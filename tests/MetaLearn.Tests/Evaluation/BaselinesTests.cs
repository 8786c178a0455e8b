using MetaLearn.Evaluation;
using MetaLearn.Tasks;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Evaluation;

public sealed class BaselinesTests
{
    [Fact]
    public void LogisticRegressionFit_TwoPointsByHand_MatchesTheClosedFormOptimum()
    {
        // x = -1 (class 0), x = +1 (class 1), C = 1. By symmetry w1 = -w0 = u/2 and equal intercepts, so the objective is
        // u²/4 + 2 log(1 + e^-u), whose minimum solves u = 4 / (1 + e^u); found here by bisection.
        double lo = 0, hi = 4;
        for (int i = 0; i < 200; i++)
        {
            double mid = (lo + hi) / 2;
            if (mid - (4 / (1 + Math.Exp(mid))) > 0)
            {
                hi = mid;
            }
            else
            {
                lo = mid;
            }
        }

        double u = (lo + hi) / 2;

        var model = LogisticRegression.Fit(new float[,] { { -1 }, { 1 } }, new long[] { 0, 1 }, 2);

        var w = model.Weights;
        (w[1, 0] - w[0, 0]).Should().BeApproximately(u, 1e-7);
        (w[1, 0] + w[0, 0]).Should().BeApproximately(0, 1e-9);
        (model.Intercepts[1] - model.Intercepts[0]).Should().BeApproximately(0, 1e-9);
        model.PredictProbabilities(new float[,] { { 1 } })[0, 1].Should().BeApproximately(1 / (1 + Math.Exp(-u)), 1e-7);
        model.GradientNorm.Should().BeLessThan(1e-8);
    }

    [Fact]
    public void LogisticRegressionFit_StrongerPenalty_ShrinksTheWeights()
    {
        var x = new float[,] { { -1 }, { 1 } };
        var y = new long[] { 0, 1 };

        var loose = LogisticRegression.Fit(x, y, 2, new LogisticRegressionOptions { C = 10 });
        var tight = LogisticRegression.Fit(x, y, 2, new LogisticRegressionOptions { C = 0.1 });

        Math.Abs(tight.Weights[1, 0]).Should().BeLessThan(Math.Abs(loose.Weights[1, 0]));
    }

    [Fact]
    public void LogisticRegressionPredict_SeparableThreeClasses_ClassifiesEveryQueryRow()
    {
        var (support, supportClasses) = Blobs(seed: 1, perClass: 5);
        var (query, queryClasses) = Blobs(seed: 2, perClass: 20);

        var model = LogisticRegression.Fit(support, supportClasses, 3);

        model.Predict(query).Should().Equal(queryClasses);
        var p = model.PredictProbabilities(query);
        for (int i = 0; i < p.GetLength(0); i++)
        {
            (p[i, 0] + p[i, 1] + p[i, 2]).Should().BeApproximately(1, 1e-12);
        }
    }

    [Fact]
    public void NearestNeighborPredict_HandCase_TakesTheClosestRowsClass()
    {
        var model = NearestNeighbor.Fit(new float[,] { { 0, 0 }, { 10, 0 }, { 0, 10 } }, new long[] { 0, 1, 2 }, 3);

        model.Predict(new float[,] { { 1, 1 }, { 9, 1 }, { 1, 8 }, { 6, 0 } }).Should().Equal(0L, 1L, 2L, 1L);
    }

    [Fact]
    public void EpisodeOverloads_SeparableBlobs_EqualTheArrayOverloads()
    {
        var (support, supportClasses) = Blobs(seed: 3, perClass: 5);
        var (query, queryClasses) = Blobs(seed: 4, perClass: 10);
        query[0, 0] = 100; // one query row far off: logistic regression and 1-NN may disagree on it
        using var episode = new Episode(
            tensor(Flatten(support), new long[] { 15, 2 }), tensor(supportClasses),
            tensor(Flatten(query), new long[] { 30, 2 }), tensor(queryClasses),
            new EpisodeInfo(3, 5, 10, 0));

        double logisticFromEpisode = Baselines.LogisticRegression(episode);
        double nearestFromEpisode = Baselines.NearestNeighbor(episode);
        double logisticFromArrays = Baselines.LogisticRegression(support, supportClasses, query, queryClasses, 3);
        double nearestFromArrays = Baselines.NearestNeighbor(support, supportClasses, query, queryClasses, 3);

        logisticFromEpisode.Should().Be(logisticFromArrays);
        nearestFromEpisode.Should().Be(nearestFromArrays);
        nearestFromArrays.Should().BeGreaterThanOrEqualTo(29.0 / 30);
        logisticFromArrays.Should().BeGreaterThanOrEqualTo(29.0 / 30);
    }

    [Fact]
    public void LogisticRegressionFit_ClassOutOfRange_Throws()
    {
        var act = () => LogisticRegression.Fit(new float[,] { { 0 }, { 1 } }, new long[] { 0, 2 }, 2);

        act.Should().Throw<ArgumentException>().WithMessage("*Row 1 has class 2*");
    }

    [Fact]
    public void Options_Defaults_MatchScikitLearn()
    {
        var options = new LogisticRegressionOptions();

        options.C.Should().Be(1.0);
        options.MaxIterations.Should().Be(100);
        var act = () => new LogisticRegressionOptions { C = 0 };
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static (float[,] Features, long[] Classes) Blobs(int seed, int perClass)
    {
        var random = new Random(seed);
        var centres = new[] { (0f, 0f), (8f, 0f), (0f, 8f) };
        var x = new float[3 * perClass, 2];
        var y = new long[3 * perClass];
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < perClass; i++)
            {
                int r = (c * perClass) + i;
                x[r, 0] = centres[c].Item1 + (float)((random.NextDouble() * 2) - 1);
                x[r, 1] = centres[c].Item2 + (float)((random.NextDouble() * 2) - 1);
                y[r] = c;
            }
        }

        return (x, y);
    }

    private static float[] Flatten(float[,] x) => x.Cast<float>().ToArray();
}
