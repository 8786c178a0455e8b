using MetaLearn.Training;

namespace MetaLearn.Tests.Training;

public sealed class SynchronousProgressTests
{
    [Fact]
    public void Report_RunsHandlerOnReportingThreadBeforeReturning()
    {
        var seen = new List<(int Value, int Thread)>();
        var progress = new SynchronousProgress<int>(v => seen.Add((v, Environment.CurrentManagedThreadId)));
        progress.Report(1);
        progress.Report(2);
        seen.Should().Equal((1, Environment.CurrentManagedThreadId), (2, Environment.CurrentManagedThreadId));
    }
}
