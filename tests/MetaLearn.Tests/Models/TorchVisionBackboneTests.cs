using MetaLearn.Algorithms;
using MetaLearn.Datasets;
using MetaLearn.Evaluation;
using MetaLearn.Models;
using MetaLearn.Sampling;
using MetaLearn.Tests.Datasets;
using MetaLearn.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Models;

/// <summary>
/// TorchVision's ResNet-18, whose forward is code that <see cref="FunctionalModel.FromModule"/> refuses, meta-trained
/// with Prototypical Networks on Omniglot as a <see cref="Backbone"/>. Its initial values come from TorchSharp's global
/// generator, seeded here, so the test runs alone.
/// </summary>
[Collection(GlobalRandomCollection.Name)]
public sealed class TorchVisionBackboneTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Slow")]
    public void ProtoNets_TorchVisionResNet18OnOmniglot_MetaTrainsAndClassifiesHeldOutAlphabetsBetterThanAtItsStart()
    {
        set_num_threads(2);
        using var background = LabeledDataset.FromOmniglot(OmniglotFiles.Small1Zip);
        using var all = LabeledDataset.FromOmniglot(OmniglotFiles.Small2Zip);
        using var heldOut = all.ExceptGroups(background.Groups);
        var training = new EpisodicSampler(background, new EpisodicSamplerOptions { Ways = 5, Shots = 1, Queries = 2, Rotations = EpisodicSamplerOptions.AllRightAngles });
        var test = new EpisodicSampler(heldOut, new EpisodicSamplerOptions { Ways = 5, Shots = 1, Queries = 3, SameGroup = true });
        manual_seed(3);
        using (var resnet = ResNet18())
        {
            var convert = () => FunctionalModel.FromModule(resnet);
            convert.Should().Throw<ArgumentException>("TorchVision's ResNet has a forward of its own");
        }

        using var backbone = new Backbone(ResNet18);
        using var protonet = new PrototypicalNetworks(backbone);
        double before = Evaluator.Evaluate(protonet, test, 30, seed: 5).MeanAccuracy;

        using var trainer = new MetaTrainer(protonet, new MetaTrainerOptions { Iterations = 40, MetaBatchSize = 2, Seed = 1 });
        var result = trainer.Train(training);
        double after = Evaluator.Evaluate(protonet, test, 30, seed: 5).MeanAccuracy;

        output.WriteLine(FormattableString.Invariant(
            $"5-way 1-shot accuracy {before:F3} -> {after:F3}; query loss first 10 {result.QueryLosses.Take(10).Average():F3}, last 10 {result.QueryLosses.TakeLast(10).Average():F3}; {result.MedianIterationMilliseconds:F0} ms per iteration"));
        result.QueryLosses.TakeLast(10).Average().Should().BeLessThan(result.QueryLosses.Take(10).Average());
        after.Should().BeGreaterThan(before);
    }

    /// <summary>ResNet-18 with a 64-feature output layer, on Omniglot's one channel repeated three times.</summary>
    private static nn.Module<Tensor, Tensor> ResNet18() =>
        nn.Sequential(("rgb", new ThreeChannels()), ("resnet", torchvision.models.resnet18(num_classes: 64)));

    /// <summary>Repeats a one-channel image over the three channels an ImageNet network reads (a view, no copy).</summary>
    private sealed class ThreeChannels() : nn.Module<Tensor, Tensor>(nameof(ThreeChannels))
    {
        public override Tensor forward(Tensor input) => input.expand(-1, 3, -1, -1);
    }
}
