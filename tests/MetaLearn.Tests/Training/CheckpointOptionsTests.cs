using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Training;

namespace MetaLearn.Tests.Training;

/// <summary>When <see cref="MetaTrainer.Train"/> writes checkpoints: by time, by count, at the end and on cancellation.</summary>
public sealed class CheckpointOptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("metalearn-checkpoint-options").FullName;

    [Fact]
    public void Constructor_Defaults_AreDocumented()
    {
        var options = new CheckpointOptions("run.ckpt");

        options.Path.Should().Be("run.ckpt");
        options.Interval.Should().Be(TimeSpan.FromSeconds(5));
        options.IterationInterval.Should().Be(0);
        options.SaveOnCancel.Should().BeTrue();
        options.Clock.Should().BeSameAs(TimeProvider.System);
    }

    [Fact]
    public void Constructor_InvalidValues_ThrowSayingWhatToChange()
    {
        ((Action)(() => _ = new CheckpointOptions(" "))).Should().Throw<ArgumentException>().WithMessage("*checkpoint file's path*");
        ((Action)(() => _ = new CheckpointOptions("a") { Interval = TimeSpan.Zero })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*must be positive*");
        ((Action)(() => _ = new CheckpointOptions("a") { IterationInterval = -1 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Use 0*");
        ((Action)(() => _ = new CheckpointOptions("a") { Clock = null! })).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Train_WithInterval_SavesOnceTheIntervalHasPassedAndAtTheEnd()
    {
        string path = Path.Combine(_dir, "timed.ckpt");
        var clock = new ManualClock();
        using var model = NewModel();
        using var maml = new Maml(model);
        var checkpoint = new CheckpointOptions(path) { Interval = TimeSpan.FromSeconds(2.5), Clock = clock };
        using var trainer = new MetaTrainer(maml, new MetaTrainerOptions { Iterations = 11, MetaBatchSize = 2, ProgressInterval = 1, Checkpoint = checkpoint });
        var saves = new List<int>();
        byte[] last = Array.Empty<byte>();
        var progress = TrainingProgress.Synchronous(p =>
        {
            byte[] now = File.Exists(path) ? File.ReadAllBytes(path) : Array.Empty<byte>();
            if (!now.AsSpan().SequenceEqual(last))
            {
                saves.Add(p.Iteration);
                last = now;
            }

            clock.Advance(TimeSpan.FromSeconds(1));
        });

        trainer.Train(new SinusoidTaskSampler(), progress: progress);

        // One second passes per meta-iteration: after iteration 4 the last save (start, t = 0) is 3 s old, and so on.
        saves.Should().Equal(4, 7, 10, 11);
    }

    [Fact]
    public void Train_Cancelled_SavesTheLastWholeIteration_AndResumesExactly()
    {
        string path = Path.Combine(_dir, "cancelled.ckpt");
        var options = new MetaTrainerOptions { Iterations = 12, MetaBatchSize = 3, OuterLearningRate = 0.01, Seed = 4, ProgressInterval = 1 };
        double[] straight;
        using (var model = NewModel())
        using (var maml = new Maml(model))
        using (var trainer = new MetaTrainer(maml, options))
        {
            straight = trainer.Train(new SinusoidTaskSampler()).QueryLosses.ToArray();
        }

        var seen = new List<double>();
        using (var model = NewModel())
        using (var maml = new Maml(model))
        using (var trainer = new MetaTrainer(maml, options with { Checkpoint = new CheckpointOptions(path) { Interval = null } }))
        using (var cts = new CancellationTokenSource())
        {
            var progress = TrainingProgress.Synchronous(p =>
            {
                seen.Add(p.QueryLoss);
                if (p.Iteration == 7)
                {
                    cts.Cancel();
                }
            });

            var act = () => trainer.Train(new SinusoidTaskSampler(), progress: progress, cancellationToken: cts.Token);

            act.Should().Throw<OperationCanceledException>();
            trainer.Iteration.Should().Be(7);
        }

        using var resumedModel = new Mlp(MlpOptions.WithLayers(1, 8, 1) with { Seed = 99 });
        using var resumedMaml = new Maml(resumedModel);
        using var resumed = new MetaTrainer(resumedMaml, options with { Iterations = 5 });
        resumed.LoadCheckpoint(path);
        resumed.Iteration.Should().Be(7);
        var rest = resumed.Train(new SinusoidTaskSampler()).QueryLosses;

        seen.Concat(rest).Should().Equal(straight);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Mlp NewModel() => new(MlpOptions.WithLayers(1, 8, 1) with { Seed = 5 });

    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
