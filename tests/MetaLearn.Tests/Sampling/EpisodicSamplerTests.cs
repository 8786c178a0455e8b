using MetaLearn.Datasets;
using MetaLearn.Sampling;
using MetaLearn.Tests.Datasets;
using static TorchSharp.torch;
using MetaLearn.Tasks;

namespace MetaLearn.Tests.Sampling;

public sealed class EpisodicSamplerTests
{
    private const int Side = SyntheticDatasets.Side;

    [Fact]
    public void Sample_FiveWayTwoShotThreeQuery_ShapesAndClassMajorLabels()
    {
        using var data = SyntheticDatasets.Build(("A", 8, 6));
        var sampler = new EpisodicSampler(data, new EpisodicSamplerOptions { Ways = 5, Shots = 2, Queries = 3 });

        using var episode = sampler.Sample(7);

        episode.SupportInput.shape.Should().Equal(10L, 1L, Side, Side);
        episode.QueryInput.shape.Should().Equal(15L, 1L, Side, Side);
        episode.SupportInput.dtype.Should().Be(ScalarType.Float32);
        episode.SupportTargets.dtype.Should().Be(ScalarType.Int64);
        episode.SupportTargets.data<long>().ToArray().Should().Equal(0, 0, 1, 1, 2, 2, 3, 3, 4, 4);
        episode.QueryTargets.data<long>().ToArray().Should().Equal(0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4);
        episode.Info.Should().Be(new EpisodeInfo(5, 2, 3, 7));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Sample_AnySeed_SupportAndQueryDisjointAndEachLabelIsOneDistinctClass(int seed)
    {
        using var data = SyntheticDatasets.Build(("A", 6, 5));
        var sampler = new EpisodicSampler(data, new EpisodicSamplerOptions { Ways = 4, Shots = 2, Queries = 3 });

        using var episode = sampler.Sample(seed);

        int[] support = SyntheticDatasets.ExampleIds(episode.SupportInput);
        int[] query = SyntheticDatasets.ExampleIds(episode.QueryInput);
        support.Concat(query).Should().OnlyHaveUniqueItems("examples are drawn without replacement");
        long[] supportLabels = episode.SupportTargets.data<long>().ToArray();
        long[] queryLabels = episode.QueryTargets.data<long>().ToArray();
        var classOfLabel = new Dictionary<long, int>();
        foreach (var (id, label) in support.Zip(supportLabels).Concat(query.Zip(queryLabels)))
        {
            int cls = data.Labels[id];
            classOfLabel.TryAdd(label, cls);
            classOfLabel[label].Should().Be(cls, "every row with one label comes from one class");
        }

        classOfLabel.Values.Should().OnlyHaveUniqueItems("classes are drawn without replacement").And.HaveCount(4);
    }

    [Fact]
    public void Sample_SameSeed_SameEpisode_DifferentSeedDifferentEpisode()
    {
        using var data = SyntheticDatasets.Build(("A", 10, 6));
        var sampler = new EpisodicSampler(data, new EpisodicSamplerOptions { Ways = 5, Shots = 1, Queries = 2 });

        using var first = sampler.Sample(42);
        using var again = new EpisodicSampler(data, sampler.Options).Sample(42);
        using var other = sampler.Sample(43);

        first.SupportInput.allclose(again.SupportInput, rtol: 0, atol: 0).Should().BeTrue();
        first.QueryInput.allclose(again.QueryInput, rtol: 0, atol: 0).Should().BeTrue();
        SyntheticDatasets.ExampleIds(other.SupportInput).Concat(SyntheticDatasets.ExampleIds(other.QueryInput))
            .Should().NotEqual(SyntheticDatasets.ExampleIds(first.SupportInput).Concat(SyntheticDatasets.ExampleIds(first.QueryInput)));
    }

    [Fact]
    public void Sample_Rotation90_EveryImageIsItsSourceTurnedCounterClockwise()
    {
        using var data = SyntheticDatasets.Build(("A", 3, 4));
        var sampler = new EpisodicSampler(data, new EpisodicSamplerOptions { Ways = 3, Shots = 1, Queries = 2, Rotations = [90] });

        using var episode = sampler.Sample(5);

        var images = cat(new[] { episode.SupportInput, episode.QueryInput }, 0);
        int[] ids = SyntheticDatasets.ExampleIds(images);
        for (int row = 0; row < ids.Length; row++)
        {
            ToArray(images[row, 0]).Should().BeEquivalentTo(SyntheticDatasets.Rotated(ids[row], 1), o => o.WithStrictOrdering());
        }
    }

    /// <summary>
    /// With dataset labels each example is labelled with its class's index among all ClassCount classes (base class b,
    /// rotation r: b · R + r), and the episode declares that many ways: batches for supervised pre-training.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Sample_DatasetLabels_LabelEachExampleWithItsClassAmongAllClasses(int seed)
    {
        using var data = SyntheticDatasets.Build(("A", 3, 4), ("B", 2, 4));
        var sampler = new EpisodicSampler(data, new EpisodicSamplerOptions { Ways = 4, Shots = 1, Queries = 2, Rotations = [0, 180], DatasetLabels = true });

        using var episode = sampler.Sample(seed);

        sampler.ClassCount.Should().Be(10);
        episode.Info.Ways.Should().Be(10);
        var images = cat(new[] { episode.SupportInput, episode.QueryInput }, 0);
        long[] labels = cat(new[] { episode.SupportTargets, episode.QueryTargets }, 0).data<long>().ToArray();
        int[] ids = SyntheticDatasets.ExampleIds(images);
        for (int row = 0; row < ids.Length; row++)
        {
            int turns = Enumerable.Range(0, 4).Single(t => Same(ToArray(images[row, 0]), SyntheticDatasets.Rotated(ids[row], t)));
            labels[row].Should().Be((data.Labels[ids[row]] * 2) + (turns / 2), "class b turned by r is class b · 2 + r / 180");
        }

        labels.Distinct().Should().HaveCount(4);
        using var same = new EpisodicSampler(data, new EpisodicSamplerOptions { Ways = 4, Shots = 1, Queries = 2, Rotations = [0, 180] }).Sample(seed);
        SyntheticDatasets.ExampleIds(same.SupportInput).Should().Equal(SyntheticDatasets.ExampleIds(episode.SupportInput), "the labels change, not the draws");
    }

    [Fact]
    public void Sample_AllRightAnglesOfOneClass_FourLabelsAreTheFourRotations()
    {
        using var data = SyntheticDatasets.Build(("A", 1, 3));
        var sampler = new EpisodicSampler(data, new EpisodicSamplerOptions
        {
            Ways = 4,
            Shots = 1,
            Queries = 2,
            Rotations = EpisodicSamplerOptions.AllRightAngles,
        });

        using var episode = sampler.Sample(11);

        sampler.ClassCount.Should().Be(4);
        var turnsOfLabel = new Dictionary<long, int>();
        var images = cat(new[] { episode.SupportInput, episode.QueryInput }, 0);
        long[] labels = cat(new[] { episode.SupportTargets, episode.QueryTargets }, 0).data<long>().ToArray();
        int[] ids = SyntheticDatasets.ExampleIds(images);
        for (int row = 0; row < ids.Length; row++)
        {
            float[,] actual = ToArray(images[row, 0]);
            int turns = Enumerable.Range(0, 4).Single(t => Same(actual, SyntheticDatasets.Rotated(ids[row], t)));
            turnsOfLabel.TryAdd(labels[row], turns);
            turnsOfLabel[labels[row]].Should().Be(turns, "one label is one (class, rotation) pair");
        }

        turnsOfLabel.Values.Should().BeEquivalentTo(new[] { 0, 1, 2, 3 });
    }

    [Fact]
    public void Sample_SameGroup_EveryEpisodeFromOneGroupWithEnoughClasses()
    {
        using var data = SyntheticDatasets.Build(("A", 3, 2), ("B", 5, 2), ("C", 2, 2));
        var sampler = new EpisodicSampler(data, new EpisodicSamplerOptions { Ways = 3, Shots = 1, Queries = 1, SameGroup = true });
        var groupsSeen = new HashSet<string>();

        for (int seed = 0; seed < 40; seed++)
        {
            using var episode = sampler.Sample(seed);
            var groups = SyntheticDatasets.ExampleIds(episode.SupportInput).Select(id => data.Classes[data.Labels[id]].Group).Distinct().ToArray();
            groups.Should().ContainSingle();
            groupsSeen.Add(groups[0]);
        }

        sampler.GroupCount.Should().Be(2);
        groupsSeen.Should().BeEquivalentTo("A", "B");
    }

    [Fact]
    public void Sample_ClassFilter_DrawsOnlyAcceptedClasses()
    {
        using var data = SyntheticDatasets.Build(("A", 3, 2), ("B", 3, 2));
        var sampler = new EpisodicSampler(data, new EpisodicSamplerOptions { Ways = 3, Shots = 1, Queries = 1, ClassFilter = c => c.Group == "B" });

        using var episode = sampler.Sample(3);

        sampler.ClassCount.Should().Be(3);
        SyntheticDatasets.ExampleIds(episode.QueryInput).Select(id => data.Classes[data.Labels[id]].Group).Should().AllBe("B");
    }

    [Fact]
    public void Sample_ManyEpisodes_LeavesNoTensorAliveBeyondTheEpisode()
    {
        using var data = SyntheticDatasets.Build(("A", 4, 4));
        var sampler = new EpisodicSampler(data, new EpisodicSamplerOptions { Ways = 4, Shots = 1, Queries = 1, Rotations = [0, 180] });
        sampler.Sample(0).Dispose();
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        for (int seed = 1; seed <= 20; seed++)
        {
            sampler.Sample(seed).Dispose();
        }

        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(before);
    }

    [Fact]
    public void Sample_AfterItsCreatorDisposedTheDataset_ThrowsNamingTheDataset()
    {
        var data = SyntheticDatasets.Build(("A", 4, 4));
        var sampler = new EpisodicSampler(data, new EpisodicSamplerOptions { Ways = 2, Shots = 1, Queries = 1 });
        sampler.Sample(0).Dispose();

        data.Dispose();
        data.Dispose();

        FluentActions.Invoking(() => sampler.Sample(1))
            .Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be(typeof(LabeledDataset).FullName);
    }

    [Fact]
    public void Constructor_ClassWithTooFewExamples_ThrowsNamingClassAndCount()
    {
        using var data = new LabeledDataset(
            zeros(5, 1, 2, 2),
            new[] { 0, 0, 0, 1, 1 },
            new[] { new LabeledClass("big", "G"), new LabeledClass("small", "G") });

        var act = () => new EpisodicSampler(data, new EpisodicSamplerOptions { Ways = 2, Shots = 1, Queries = 2 });

        act.Should().Throw<ArgumentException>().WithMessage("*'G/small'*has 2 example(s)*Shots + Queries = 3*");
    }

    [Fact]
    public void Constructor_FewerClassesThanWays_ThrowsSayingHowManyExist()
    {
        using var data = SyntheticDatasets.Build(("A", 3, 4));

        var act = () => new EpisodicSampler(data, new EpisodicSamplerOptions { Ways = 5, Shots = 1, Queries = 1, Rotations = [0] });

        act.Should().Throw<ArgumentException>().WithMessage("*Only 3 class(es)*Ways = 5*");
    }

    [Fact]
    public void Constructor_RotationsMakeEnoughClasses_Succeeds()
    {
        using var data = SyntheticDatasets.Build(("A", 3, 4));

        var sampler = new EpisodicSampler(data, new EpisodicSamplerOptions { Ways = 5, Shots = 1, Queries = 1, Rotations = [0, 180] });

        sampler.ClassCount.Should().Be(6);
    }

    [Fact]
    public void Constructor_SameGroupButNoGroupLargeEnough_ThrowsNamingTheLargest()
    {
        using var data = SyntheticDatasets.Build(("A", 2, 2), ("B", 3, 2));

        var act = () => new EpisodicSampler(data, new EpisodicSamplerOptions { Ways = 4, Shots = 1, Queries = 1, SameGroup = true });

        act.Should().Throw<ArgumentException>().WithMessage("*No group has Ways = 4*'B', has 3*");
    }

    [Fact]
    public void Constructor_QuarterTurnsOfNonSquareImages_Throws()
    {
        using var data = new LabeledDataset(zeros(4, 1, 2, 3), new[] { 0, 0, 1, 1 }, new[] { new LabeledClass("a", ""), new LabeledClass("b", "") });

        var act = () => new EpisodicSampler(data, new EpisodicSamplerOptions { Ways = 2, Shots = 1, Queries = 1, Rotations = [0, 90] });

        act.Should().Throw<ArgumentException>().WithMessage("*square*2x3*");
    }

    private static float[,] ToArray(Tensor image)
    {
        float[] flat = image.contiguous().data<float>().ToArray();
        var result = new float[Side, Side];
        for (int i = 0; i < flat.Length; i++)
        {
            result[i / Side, i % Side] = flat[i];
        }

        return result;
    }

    private static bool Same(float[,] a, float[,] b) =>
        Enumerable.Range(0, Side * Side).All(i => a[i / Side, i % Side] == b[i / Side, i % Side]);
}
