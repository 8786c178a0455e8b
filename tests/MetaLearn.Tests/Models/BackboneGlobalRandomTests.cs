using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Tests.Algorithms;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Models;

/// <summary>A backbone's frozen copies are built without disturbing TorchSharp's global generator, which dropout in training draws from.</summary>
[Collection(GlobalRandomCollection.Name)]
public sealed class BackboneGlobalRandomTests
{
    [Fact]
    public void Adapt_BuildsAFrozenCopyWithTheFactory_AndLeavesTheGlobalGeneratorAsItWas()
    {
        // TorchSharp's Conv2d and BatchNorm2d draw their initial values from the global generator when the factory runs.
        using var backbone = new Backbone(() => new ResidualNet());
        using var learner = new PrototypicalNetworks(backbone);
        using var episode = AdaptationCases.Episode("backbone", 1);
        random.manual_seed(17);
        using var before = random.get_rng_state();

        using (learner.Adapt(episode.SupportInputs, episode.SupportTargets))
        {
        }

        using var after = random.get_rng_state();
        after.data<byte>().ToArray().Should().Equal(before.data<byte>().ToArray());
    }
}
