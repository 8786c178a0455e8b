namespace MetaLearn.Distributed.Tests;

public sealed class DistributedTrainingOptionsTests
{
    [Fact]
    public void Defaults_AreDocumented()
    {
        var options = new DistributedTrainingOptions();

        options.WorkerWaitTimeout.Should().Be(TimeSpan.FromSeconds(60));
        options.TasksInFlightPerWorker.Should().Be(2);
        options.MaxWorkers.Should().BeNull();
    }

    [Fact]
    public void Init_InvalidValues_ThrowNamingTheOption()
    {
        FluentActions.Invoking(() => new DistributedTrainingOptions { WorkerWaitTimeout = TimeSpan.Zero }).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("WorkerWaitTimeout");
        FluentActions.Invoking(() => new DistributedTrainingOptions { TasksInFlightPerWorker = 0 }).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("TasksInFlightPerWorker");
        FluentActions.Invoking(() => new DistributedTrainingOptions { MaxWorkers = 0 }).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("MaxWorkers");
    }

    [Fact]
    public void MetaWorkerOptions_NoSampler_ThrowsSayingWhatToGive()
    {
        FluentActions.Invoking(() => new MetaWorkerOptions { Samplers = Array.Empty<MetaLearn.Sampling.ITaskSampler>() })
            .Should().Throw<ArgumentException>().WithMessage("*at least one task sampler*");
    }

    [Fact]
    public void MetaWorkerOptions_Samplers_KeptInOrder()
    {
        var first = Workloads.Sampler();
        var second = Workloads.Sampler();

        new MetaWorkerOptions { Samplers = new[] { first, second } }.Samplers.Should().Equal(first, second);
    }
}
