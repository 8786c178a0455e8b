using MetaLearn.Algorithms;
using MetaLearn.Deployment;
using MetaLearn.Models;

namespace MetaLearn.Tests.Deployment;

/// <summary>A loaded learner created its model and algorithm, so it disposes both; disposing it twice is harmless.</summary>
public sealed class LearnerOwnershipTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("metalearn-learner-owner-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Dispose_Twice_IsHarmlessAndItsAlgorithmAndModelThenThrowNamingTheirTypes()
    {
        string path = Path.Combine(_directory, "maml.metalearn");
        using var episode = TestEpisodes.Gaussian(2, ways: 3, features: 4);
        using (var model = TestEpisodes.TinyClassifier())
        using (var maml = new Maml(model, new InnerLoopOptions { Steps = 1, StepSize = 0.1 }))
        {
            LearnerFile.Save(maml, path);
        }

        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var learner = LearnerFile.Load(path);

        learner.Dispose();
        learner.Dispose();

        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(live, "the learner freed the model and algorithm it created");
        FluentActions.Invoking(() => learner.Algorithm.Adapt(episode.SupportInputs, episode.SupportTargets))
            .Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be(typeof(Maml).FullName);
        FluentActions.Invoking(() => learner.Model.Forward(episode.SupportInputs, learner.Model.Parameters, default))
            .Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be(typeof(Mlp).FullName);
    }
}
