using FsCheck;
using FsCheck.Fluent;
using MetaLearn.Sampling;
using MetaLearn.Tasks;

namespace MetaLearn.Tests.Sampling;

/// <summary>
/// Property-based tests (FsCheck) over random valid options of every sampler in MetaLearn.Sampling: the episodes have
/// the declared shapes, labels in 0..N-1, balanced classes, no example on both sides, the same episode for the same
/// seed, and the same episodes whether drawn on one thread or several at once.
/// </summary>
public sealed class SamplerPropertyTests
{
    public static TheoryData<string> Samplers => new(SamplerCases.Names);

    [Theory]
    [MemberData(nameof(Samplers))]
    public void Sample_RandomValidOptions_EpisodeHasDeclaredShapesBalancedLabelsAndDisjointSides(string sampler) =>
        Holds(SamplerCases.Valid(sampler), Gen.Choose(0, int.MaxValue), 40, (c, seed) =>
        {
            using var owner = Owner(c.Create(), out var s);
            using var episode = s.Sample(seed);
            EpisodeChecks.HasDeclaredShapes(episode, c);
            EpisodeChecks.LabelsAreBalanced(episode, c);
            EpisodeChecks.SidesAreDisjoint(episode, c);
            episode.Info.Should().BeEquivalentTo(new { c.Ways, c.Shots, c.Queries, Seed = seed, Kind = c.Classification ? TaskKind.Classification : TaskKind.Regression });
        });

    [Theory]
    [MemberData(nameof(Samplers))]
    public void Sample_SameSeedTwiceAndFromTwoSamplers_GivesIdenticalEpisodes(string sampler) =>
        Holds(SamplerCases.Valid(sampler), Gen.Choose(0, int.MaxValue), 30, (c, seed) =>
        {
            using var firstOwner = Owner(c.Create(), out var first);
            using var secondOwner = Owner(c.Create(), out var second);
            using var a = first.Sample(seed);
            using var b = first.Sample(seed);
            using var fromSecond = second.Sample(seed);
            using var other = first.Sample(seed ^ 0x5A5A5A);

            EpisodeChecks.Bits(b).Should().Equal(EpisodeChecks.Bits(a), "the same sampler gives the same episode for the same seed");
            EpisodeChecks.Bits(fromSecond).Should().Equal(EpisodeChecks.Bits(a), "an equal sampler gives the same episode for the same seed");
            if (!c.Indexed)
            {
                // Continuous draws: another seed gives other values (a tiny labelled data set can repeat an episode).
                EpisodeChecks.Bits(other).Should().NotEqual(EpisodeChecks.Bits(a), "another seed gives another episode");
            }
        });

    [Theory]
    [MemberData(nameof(Samplers))]
    public void Sample_ConcurrentCallsFromFourThreads_GiveTheSequentialEpisodes(string sampler) =>
        Holds(SamplerCases.Valid(sampler), Gen.Choose(0, 1_000_000), 10, (c, root) =>
        {
            const int Threads = 4;
            const int PerThread = 6;
            using var owner = Owner(c.Create(), out var s);
            int[] seeds = Enumerable.Range(0, PerThread).Select(i => Seeds.Derive(root, 0, i)).ToArray();
            var sequential = seeds.Select(seed =>
            {
                using var e = s.Sample(seed);
                return EpisodeChecks.Bits(e);
            }).ToArray();

            var concurrent = new long[Threads][][];
            using var start = new Barrier(Threads);
            var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                // Each thread walks the seeds in its own rotation, so different seeds run at the same time.
                concurrent[t] = new long[PerThread][];
                for (int k = 0; k < PerThread; k++)
                {
                    int i = (k + t) % PerThread;
                    using var e = s.Sample(seeds[i]);
                    concurrent[t][i] = EpisodeChecks.Bits(e);
                }
            })).ToArray();
            foreach (var w in workers)
            {
                w.Start();
            }

            foreach (var w in workers)
            {
                w.Join();
            }

            for (int t = 0; t < Threads; t++)
            {
                for (int i = 0; i < PerThread; i++)
                {
                    concurrent[t][i].Should().Equal(sequential[i], $"thread {t}, seed {seeds[i]}");
                }
            }
        });

    [Fact]
    public void SampleBatch_RandomSinusoidOptionsAndSeeds_UnstacksToTheEpisodesSampleGives()
    {
        var cases = from c in SamplerCases.Valid("sinusoid")
                    from count in Gen.Choose(1, 6)
                    from seeds in Gen.ArrayOf(Gen.Choose(0, int.MaxValue), count)
                    select (Case: c, Seeds: seeds);
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(40).WithQuietOnSuccess(true),
            Prop.ForAll(cases.ToArbitrary(), x =>
            {
                var sampler = (IBatchTaskSampler)x.Case.Create();
                using var batch = sampler.SampleBatch(x.Seeds);
                var unstacked = batch.Unstack();
                try
                {
                    batch.Count.Should().Be(x.Seeds.Length);
                    for (int t = 0; t < x.Seeds.Length; t++)
                    {
                        using var single = sampler.Sample(x.Seeds[t]);
                        EpisodeChecks.Bits(unstacked[t]).Should().Equal(EpisodeChecks.Bits(single), $"task {t} of the batch is Sample({x.Seeds[t]})");
                    }
                }
                finally
                {
                    foreach (var e in unstacked)
                    {
                        e.Dispose();
                    }
                }
            }));
    }

    /// <summary>Runs <paramref name="property"/> on <paramref name="cases"/> random (case, seed) pairs; a failure throws with the case and FsCheck's replay seed.</summary>
    private static void Holds(Gen<SamplerCase> cases, Gen<int> seeds, int count, Action<SamplerCase, int> property) =>
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true),
            Prop.ForAll(Gen.Zip(cases, seeds).ToArbitrary(), pair => property(pair.Item1, pair.Item2)));

    private static IDisposable Owner(ITaskSampler sampler, out ITaskSampler s)
    {
        s = sampler;
        return sampler as IDisposable ?? new NoOwner();
    }

    private sealed class NoOwner : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
