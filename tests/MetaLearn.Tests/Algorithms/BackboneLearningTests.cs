using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Tasks;
using MetaLearn.Tests.Models;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

/// <summary>
/// The head-adapting algorithms over a <see cref="Backbone"/>: one module pass per meta-batch, the same results as over
/// the converted module where conversion applies, refusals where every weight would be adapted, and the adaptation
/// contract (pure, concurrent) on a network whose forward is code.
/// </summary>
public sealed class BackboneLearningTests
{
    [Theory]
    [InlineData("maml")]
    [InlineData("fomaml")]
    [InlineData("metasgd")]
    [InlineData("reptile")]
    [InlineData("imaml")]
    [InlineData("cavia")]
    public void Constructor_AnAlgorithmThatAdaptsEveryWeight_RefusesABackboneSayingWhatToUse(string name)
    {
        using var backbone = new Backbone(() => new ResidualNet(), new BackboneOptions { Ways = 3, Features = ResidualNet.Features() });
        var act = () => MetaAlgorithms.Create(name, backbone);
        act.Should().Throw<ArgumentException>().WithMessage("*Backbone*module's own parameters*anil, protonet, r2d2*FunctionalModel.FromModule*");
    }

    [Theory]
    [InlineData("protonet")]
    [InlineData("r2d2")]
    [InlineData("anil")]
    public void AccumulateMetaGradient_FourEpisodes_RunTheModuleOnce_AndTheGradientReachesItsParameters(string name)
    {
        using var backbone = (Backbone)AdaptationCases.Model(name, "backbone");
        using var learner = AdaptationCases.Learner(name, backbone);
        var episodes = Enumerable.Range(0, 4).Select(i => AdaptationCases.Episode("backbone", 10 + i)).ToArray();
        try
        {
            learner.AccumulateMetaGradient(episodes, 0);

            ((ResidualNet)backbone.Module).Calls.Should().Be(1, "one forward pass embeds every support and query example of the meta-batch");
            foreach (var p in backbone.Parameters.Take(backbone.HeadStart))
            {
                (p.grad?.shape ?? Array.Empty<long>()).Should().Equal(p.shape, "every backbone parameter receives a gradient of its own shape");
                using var magnitude = p.grad!.abs().sum();
                magnitude.ToDouble().Should().BeGreaterThan(0);
            }
        }
        finally
        {
            foreach (var e in episodes)
            {
                e.Dispose();
            }
        }
    }

    /// <summary>
    /// Without batch norm or dropout a backbone computes what the converted module computes, so ANIL and ProtoNets give
    /// the same meta-gradients (task-batched and per task) and the same adapted predictions both ways.
    /// </summary>
    [Theory]
    [InlineData("anil", true)]
    [InlineData("anil", false)]
    [InlineData("protonet", true)]
    [InlineData("protonet", false)]
    public void MetaGradientAndPredictions_ABackboneWithoutBatchNorm_EqualTheConvertedModules(string name, bool taskBatching)
    {
        bool head = name == "anil";
        using var net = Mlp(withHead: head);
        using var converted = FunctionalModel.FromModule(net, new ModuleConversionOptions { TaskBatching = true });
        using var backbone = new Backbone(() => Mlp(withHead: false), new BackboneOptions { Ways = head ? 3 : 0, Features = 6 });
        using (no_grad())
        {
            for (int i = 0; i < converted.Parameters.Count; i++)
            {
                backbone.Parameters[i].copy_(converted.Parameters[i]);
            }
        }

        var options = MetaAlgorithms.HasInnerSteps(name)
            ? new MetaAlgorithmOverrides { Steps = 2, StepSize = 0.3, TaskBatching = taskBatching }
            : new MetaAlgorithmOverrides { TaskBatching = taskBatching };
        using var viaModule = MetaAlgorithms.Create(name, converted, options);
        using var viaBackbone = MetaAlgorithms.Create(name, backbone, options);
        var episodes = Enumerable.Range(0, 3).Select(i => TestEpisodes.Gaussian(20 + i, ways: 3, features: 4, shots: 2, queries: 3)).ToArray();
        try
        {
            double expectedLoss = viaModule.AccumulateMetaGradient(episodes, 0).MeanQueryLoss;
            double actualLoss = viaBackbone.AccumulateMetaGradient(episodes, 0).MeanQueryLoss;

            actualLoss.Should().BeApproximately(expectedLoss, 1e-12);
            TestEpisodes.MaxRelativeError(TestEpisodes.Grads(viaBackbone.MetaParameters), TestEpisodes.Grads(viaModule.MetaParameters)).Should().BeLessThan(1e-10);
            using var scope = NewDisposeScope();
            using var expected = viaModule.Adapt(episodes[0].SupportInputs, episodes[0].SupportTargets);
            using var actual = viaBackbone.Adapt(episodes[0].SupportInputs, episodes[0].SupportTargets);
            (actual.Predict(episodes[0].QueryInputs) - expected.Predict(episodes[0].QueryInputs)).abs().max().ToDouble().Should().BeLessThan(1e-10);
        }
        finally
        {
            foreach (var e in episodes)
            {
                e.Dispose();
            }
        }
    }

    /// <summary>8 threads adapt a meta-trained backbone learner at once and predict; each gets the sequential probabilities and the learner is unchanged.</summary>
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("anil")]
    [InlineData("protonet")]
    public void Adapt_EightThreadsAtOnceOnABackbone_GiveTheSequentialProbabilities(string name)
    {
        const int threads = 8;
        using var backbone = (Backbone)AdaptationCases.Model(name, "backbone");
        using var learner = AdaptationCases.Learner(name, backbone);
        for (int i = 0; i < 3; i++)
        {
            using var train = AdaptationCases.Episode("backbone", 30 + i);
            AdaptationCases.TrainStep(learner, train);
        }

        var episodes = Enumerable.Range(0, threads * 2).Select(i => AdaptationCases.Episode("backbone", 100 + i)).ToArray();
        try
        {
            double[] before = AdaptationCases.State(learner);
            var sequential = episodes.Select(e => AdaptAndPredict(learner, e)).ToArray();
            var concurrent = new double[episodes.Length][];
            var errors = new List<Exception>();
            using var start = new Barrier(threads);
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    for (int i = t; i < episodes.Length; i += threads)
                    {
                        concurrent[i] = AdaptAndPredict(learner, episodes[i]);
                    }
                }
                catch (Exception ex)
                {
                    lock (errors)
                    {
                        errors.Add(ex);
                    }
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

            errors.Should().BeEmpty();
            sequential.Zip(concurrent).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second))).Should().BeLessThan(1e-12);
            sequential.Select(p => p.Max() - p.Min()).Should().OnlyContain(spread => spread > 0.01, "the probabilities are not trivially uniform");
            AdaptationCases.State(learner).Should().Equal(before, "no thread changed the learner");
            ((ResidualNet)backbone.Module).Calls.Should().Be(3, "adaptation and prediction ran frozen copies, never the trained module");
        }
        finally
        {
            foreach (var e in episodes)
            {
                e.Dispose();
            }
        }
    }

    [Fact]
    public void AdaptedModel_OverABackbone_KeepsItsPredictionsWhenTheBackboneTrainsOn()
    {
        using var backbone = (Backbone)AdaptationCases.Model("protonet", "backbone");
        using var learner = AdaptationCases.Learner("protonet", backbone);
        using var a = AdaptationCases.Episode("backbone", 40);
        using var adapted = learner.Adapt(a.SupportInputs, a.SupportTargets);
        double[] first = AdaptAndPredict(adapted, a);
        double[] parameters = TestEpisodes.Flatten(backbone.Parameters);

        AdaptationCases.TrainStep(learner, a);

        TestEpisodes.Flatten(backbone.Parameters).Should().NotEqual(parameters, "the step trained the module");
        AdaptAndPredict(adapted, a).Should().Equal(first, "the adapted model runs its own frozen copy");
        AdaptAndPredict(learner, a).Should().NotEqual(first, "a new adaptation sees the trained module");
    }

    private static double[] AdaptAndPredict(IMetaAlgorithm learner, Episode episode)
    {
        using var adapted = learner.Adapt(episode.SupportInputs, episode.SupportTargets);
        return AdaptAndPredict(adapted, episode);
    }

    private static double[] AdaptAndPredict(AdaptedModel adapted, Episode episode)
    {
        using var scope = NewDisposeScope();
        return adapted.PredictProbabilities(episode.QueryInput).data<double>().ToArray();
    }

    /// <summary>Linear, tanh, linear (and a 3-way head), float64, seeded.</summary>
    private static nn.Module<Tensor, Tensor> Mlp(bool withHead)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("fc1", nn.Linear(4, 8, dtype: ScalarType.Float64)), ("act", nn.Tanh()), ("fc2", nn.Linear(8, 6, dtype: ScalarType.Float64)),
        };
        if (withHead)
        {
            layers.Add(("head", nn.Linear(6, 3, dtype: ScalarType.Float64)));
        }

        var net = nn.Sequential(layers.ToArray());
        using var generator = new Generator(9);
        using var noGrad = no_grad();
        foreach (var p in net.parameters())
        {
            p.uniform_(-0.5, 0.5, generator: generator);
        }

        return net;
    }
}
