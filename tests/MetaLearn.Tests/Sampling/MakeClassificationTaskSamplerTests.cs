using MetaLearn.Sampling;
using MetaLearn.Datasets;
using MetaLearn.Tasks;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Sampling;

public sealed class MakeClassificationTaskSamplerTests
{
    [Fact]
    public void Defaults_AreTheMakeclassMamlWorkload()
    {
        var o = new MakeClassificationTaskOptions();
        var g = o.Generator;

        (g.Samples, g.Features, g.Informative, g.Redundant, g.Repeated, g.Classes, g.ClustersPerClass).Should().Be((200, 20, 2, 10, 0, 3, 1));
        (g.ClassSep, g.FlipY, g.Hypercube, g.Shuffle).Should().Be((1.0, 0.01, true, true));
        (o.Ways, o.Shots, o.Queries).Should().Be((3, 5, 15));
        o.ClassSepRange.Should().BeNull();
        o.GeneratorDistribution.Should().BeNull();
        MakeClassificationTaskOptions.Workload.Should().Be(o);
    }

    [Fact]
    public void Init_InvalidValue_Throws()
    {
        FluentActions.Invoking(() => new MakeClassificationTaskOptions { Ways = 0 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Ways");
        FluentActions.Invoking(() => new MakeClassificationTaskOptions { Shots = 0 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Shots");
        FluentActions.Invoking(() => new MakeClassificationTaskOptions { Queries = 0 }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Queries");
        FluentActions.Invoking(() => new MakeClassificationTaskOptions { ClassSepRange = (2.0, 1.0) }).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("ClassSepRange");
    }

    [Fact]
    public void Constructor_MoreWaysThanClasses_Rejected()
    {
        var o = new MakeClassificationTaskOptions { Ways = 4 };

        FluentActions.Invoking(() => new MakeClassificationTaskSampler(o)).Should().Throw<ArgumentException>()
            .WithMessage("Ways (4) exceeds the generator's Classes (3)*");
    }

    [Fact]
    public void Constructor_TooFewSamplesPerClass_RejectedWithCounts()
    {
        // 200 samples over 3 classes: int(66.67) = 66 each, 2 left over to classes 0 and 1 -> class 2 has 66 < 50 + 20.
        var o = new MakeClassificationTaskOptions { Shots = 50, Queries = 20 };

        FluentActions.Invoking(() => new MakeClassificationTaskSampler(o)).Should().Throw<ArgumentException>()
            .WithMessage("Class 0 gets 67 of the generator's 200 samples but Shots (50) + Queries (20) = 70*");
    }

    [Fact]
    public void Constructor_InvalidGenerator_RejectedWithScikitLearnReason()
    {
        var o = new MakeClassificationTaskOptions { Generator = MakeClassificationTaskOptions.WorkloadGenerator with { ClustersPerClass = 2 } };

        FluentActions.Invoking(() => new MakeClassificationTaskSampler(o)).Should().Throw<ArgumentException>()
            .WithMessage("Classes (3) * ClustersPerClass (2) = 6 must be smaller or equal 2^Informative*");
    }

    [Fact]
    public void Sample_Workload_ShapesAndBalancedLabels()
    {
        using var episode = new MakeClassificationTaskSampler().Sample(5);

        episode.SupportInput.shape.Should().Equal(15, 20);
        episode.QueryInput.shape.Should().Equal(45, 20);
        episode.SupportInput.dtype.Should().Be(ScalarType.Float32);
        episode.SupportTargets.dtype.Should().Be(ScalarType.Int64);
        episode.SupportTargets.data<long>().ToArray().Should().Equal(Enumerable.Range(0, 3).SelectMany(c => Enumerable.Repeat((long)c, 5)));
        episode.QueryTargets.data<long>().ToArray().Should().Equal(Enumerable.Range(0, 3).SelectMany(c => Enumerable.Repeat((long)c, 15)));
        episode.Info.Should().Be(new EpisodeInfo(3, 5, 15, 5));
    }

    [Fact]
    public void Sample_Workload_RowsComeFromTheDrawWithTheirClassAndNeverRepeat()
    {
        const int seed = 12;
        using var episode = new MakeClassificationTaskSampler().Sample(seed);
        using var data = MakeClassification.Generate(MakeClassificationTaskOptions.WorkloadGenerator, MakeClassificationTaskSampler.DataSeed(seed));
        var labelOfRow = Enumerable.Range(0, data.Count).ToDictionary(i => Key(data.Row(i).ToArray().Select(v => (float)v).ToArray()), i => data.Labels[i]);

        var rows = Rows(episode.SupportInput).Concat(Rows(episode.QueryInput)).ToArray();
        var targets = episode.SupportTargets.data<long>().ToArray().Concat(episode.QueryTargets.data<long>().ToArray()).ToArray();

        rows.Select(Key).Should().OnlyHaveUniqueItems("support and query are drawn without replacement");
        for (int i = 0; i < rows.Length; i++)
        {
            labelOfRow[Key(rows[i])].Should().Be((int)targets[i], "with 3 classes and 3 ways the labels are the generator's");
        }
    }

    [Fact]
    public void Sample_SameSeed_SameEpisode_DifferentSeed_Different()
    {
        var sampler = new MakeClassificationTaskSampler();
        using var a = sampler.Sample(3);
        using var b = sampler.Sample(3);
        using var c = sampler.Sample(4);

        a.SupportInput.data<float>().ToArray().Should().Equal(b.SupportInput.data<float>().ToArray());
        a.QueryInput.data<float>().ToArray().Should().Equal(b.QueryInput.data<float>().ToArray());
        a.SupportInput.data<float>().ToArray().Should().NotEqual(c.SupportInput.data<float>().ToArray());
    }

    [Fact]
    public void Sample_MoreClassesThanWays_RemapsChosenClassesToZeroUpToWays()
    {
        var generator = MakeClassificationTaskOptions.WorkloadGenerator with { Samples = 300, Informative = 3, Classes = 6, FlipY = 0 };
        var sampler = new MakeClassificationTaskSampler(new MakeClassificationTaskOptions { Generator = generator, Ways = 2, Shots = 3, Queries = 4 });
        var chosenSets = new HashSet<string>();

        for (int seed = 0; seed < 20; seed++)
        {
            using var episode = sampler.Sample(seed);
            using var data = MakeClassification.Generate(generator, MakeClassificationTaskSampler.DataSeed(seed));
            var labelOfRow = Enumerable.Range(0, data.Count).ToDictionary(i => Key(data.Row(i).ToArray().Select(v => (float)v).ToArray()), i => data.Labels[i]);
            var original = Rows(episode.SupportInput).Select(r => labelOfRow[Key(r)]).ToArray();

            episode.SupportTargets.data<long>().ToArray().Should().Equal(0, 0, 0, 1, 1, 1);
            original.Take(3).Distinct().Should().ContainSingle();
            original.Skip(3).Distinct().Should().ContainSingle();
            original[0].Should().BeLessThan(original[3]);
            chosenSets.Add($"{original[0]},{original[3]}");
        }

        chosenSets.Count.Should().BeGreaterThan(5, "classes are picked at random per episode");
    }

    [Fact]
    public void Sample_ClassSepRange_DrawsClassSepPerTaskWithinRange()
    {
        var sampler = new MakeClassificationTaskSampler(new MakeClassificationTaskOptions { ClassSepRange = (0.5, 2.0) });

        var seps = Enumerable.Range(0, 50).Select(s => sampler.GeneratorFor(s).ClassSep).ToArray();

        seps.Should().OnlyContain(s => s >= 0.5 && s <= 2.0);
        seps.Distinct().Count().Should().Be(50);
        sampler.GeneratorFor(9).Should().Be(sampler.GeneratorFor(9));
    }

    [Fact]
    public void Sample_GeneratorDistribution_UsedPerTask()
    {
        var options = new MakeClassificationTaskOptions
        {
            GeneratorDistribution = r => MakeClassificationTaskOptions.WorkloadGenerator with { Features = 10 + r.Next(3), Redundant = 2 },
        };
        var sampler = new MakeClassificationTaskSampler(options);

        var widths = Enumerable.Range(0, 30).Select(s =>
        {
            using var e = sampler.Sample(s);
            return e.SupportInput.shape[1];
        }).ToArray();

        widths.Should().OnlyContain(w => w >= 10 && w <= 12);
        widths.Distinct().Should().HaveCount(3);
    }

    private static string Key(float[] row) => string.Join(",", row);

    private static IEnumerable<float[]> Rows(Tensor x)
    {
        var values = x.data<float>().ToArray();
        int f = (int)x.shape[1];
        return Enumerable.Range(0, (int)x.shape[0]).Select(i => values.AsSpan(i * f, f).ToArray());
    }
}
