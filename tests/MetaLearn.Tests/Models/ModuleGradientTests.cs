using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Sampling;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Models;

[Collection(GlobalRandomCollection.Name)]
public sealed class ModuleGradientTests
{
    [Theory]
    [MemberData(nameof(ModuleCases.NetworkNames), MemberType = typeof(ModuleCases))]
    public void Maml_SecondOrderThroughEveryLayer_MatchesCentralFiniteDifferences(string network)
    {
        var (module, episode) = ModuleCases.Network(network);
        using var owned = module;
        using var ownedEpisode = episode;
        using var model = FunctionalModel.FromModule(module);
        using var maml = new Maml(model, new InnerLoopOptions { Steps = 2, StepSize = 0.1, TaskBatching = false });

        maml.AccumulateMetaGradient(new[] { episode }, iteration: 0);
        double[] analytic = TestEpisodes.Grads(model.Parameters);
        double[] numeric = FiniteDifferences(model, () => TestEpisodes.TrainingQueryLoss(maml, episode));

        analytic.Should().Contain(g => g != 0);
        TestEpisodes.MaxRelativeError(analytic, numeric).Should().BeLessThan(1e-5, network);
    }

    [Theory]
    [MemberData(nameof(ModuleCases.LayerNames), MemberType = typeof(ModuleCases))]
    public void Forward_TaskBatched_EqualsPerTask(string layer)
    {
        var (module, input) = ModuleCases.Layer(layer);
        using var owned = module;
        using var model = FunctionalModel.FromModule(module, new ModuleConversionOptions { TaskBatching = true });
        using var scope = NewDisposeScope();
        using var spread = 0.2.ToScalar();
        const int tasks = 3;
        var inputs = Enumerable.Range(0, tasks).Select(_ => input()).ToArray();
        var weights = Enumerable.Range(0, tasks)
            .Select(t => model.Parameters.Select(p => t == 0 ? p.detach() : p.detach().Plus(randn_like(p).mul(spread))).ToArray())
            .ToArray();

        foreach (bool training in layer == "Dropout" ? new[] { false } : new[] { true, false })
        {
            var context = new ForwardContext { Training = training };
            var perTask = stack(Enumerable.Range(0, tasks).Select(t => model.Forward(new[] { inputs[t] }, weights[t], context)).ToArray());
            var stackedWeights = Enumerable.Range(0, model.Parameters.Count).Select(i => stack(weights.Select(w => w[i]).ToArray())).ToArray();
            var batched = model.Forward(new[] { stack(inputs) }, stackedWeights, context with { TaskBatched = true });

            batched.shape.Should().Equal(perTask.shape);
            ModuleConversionTests.MaxAbs(batched, perTask).Should().BeLessThan(1e-10, $"{layer}, training {training}");
        }
    }

    [Fact]
    public void Maml_BuiltInMlpAndConvertedSequential_SameSeedAndWeights_GiveIdenticalLosses()
    {
        using var mlp = new Mlp(MlpOptions.WithLayers(1, 40, 40, 1) with { Seed = 3 });
        using var net = nn.Sequential(("layer0", nn.Linear(1, 40)), ("relu0", nn.ReLU()), ("layer1", nn.Linear(40, 40)), ("relu1", nn.ReLU()), ("layer2", nn.Linear(40, 1)));
        using (no_grad())
        {
            foreach (var (p, value) in net.parameters().Zip(mlp.Parameters))
            {
                p.copy_(value);
            }
        }

        using var converted = FunctionalModel.FromModule(net);
        converted.ParameterNames.Should().Equal(mlp.ParameterNames);
        converted.SupportsTaskBatching.Should().BeTrue();

        foreach (bool batching in new[] { true, false })
        {
            double[] builtIn = Train(mlp, batching);
            double[] fromModule = Train(converted, batching);
            fromModule.Should().Equal(builtIn);
        }
    }

    [Fact]
    public void Maml_UnusedParameter_GetsZeroInnerGradient_InsteadOfAborting()
    {
        using var model = new SpareHead();
        model.ParameterNames.Should().Equal("body.weight", "body.bias", "head.weight", "head.bias", "spare.weight");
        model.HeadStart.Should().Be(2);
        using var maml = new Maml(model, new InnerLoopOptions { Steps = 2, StepSize = 0.05 });
        var sampler = new SinusoidTaskSampler(new SinusoidTaskOptions { Shots = 5, Queries = 5 });
        var episodes = Enumerable.Range(0, 3).Select(sampler.Sample).ToArray();
        try
        {
            foreach (bool batched in new[] { true, false })
            {
                TestEpisodes.ZeroGrads(model.Parameters);
                var result = batched ? maml.AccumulateMetaGradient(episodes, 0) : maml.AccumulateMetaGradient(new[] { episodes[0] }, 0);

                result.TaskBatched.Should().Be(batched);
                double.IsFinite(result.MeanQueryLoss).Should().BeTrue();
                TestEpisodes.Flatten(new[] { model.Parameters[4].grad ?? zeros(1) }).Should().OnlyContain(g => g == 0);
                TestEpisodes.Grads(model.Parameters.Take(4)).Should().Contain(g => g != 0);
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

    [Fact]
    public void Dropout_SameSeed_GivesIdenticalMasksAndLosses_OtherSeedDiffers()
    {
        using var net = nn.Sequential(("fc", nn.Linear(4, 16, dtype: ScalarType.Float64)), ("drop", nn.Dropout(0.5)), ("head", nn.Linear(16, 3, dtype: ScalarType.Float64)));
        using var a = FunctionalModel.FromModule(net, new ModuleConversionOptions { Seed = 7 });
        using var b = FunctionalModel.FromModule(net, new ModuleConversionOptions { Seed = 7 });
        using var c = FunctionalModel.FromModule(net, new ModuleConversionOptions { Seed = 8 });
        using var episode = TestEpisodes.Gaussian(2, ways: 3, features: 4);

        double[] LossesOf(IFunctionalModel model)
        {
            using var maml = new Maml(model, new InnerLoopOptions { Steps = 1, StepSize = 0.1 });
            return Enumerable.Range(0, 3).Select(i => maml.AccumulateMetaGradient(new[] { episode }, i).MeanQueryLoss).ToArray();
        }

        double[] lossesA = LossesOf(a);
        LossesOf(b).Should().Equal(lossesA);
        LossesOf(c).Should().NotEqual(lossesA);
        lossesA.Distinct().Should().HaveCount(3, "each pass draws a new mask");

        using var scope = NewDisposeScope();
        net.eval();
        var x = randn(5, 4, dtype: ScalarType.Float64);
        ModuleConversionTests.MaxAbs(a.Forward(new[] { x }, a.Parameters, new ForwardContext { Training = false }), net.forward(x)).Should().BeLessThan(1e-12);
    }

    private static double[] Train(IFunctionalModel model, bool batching)
    {
        var start = model.SnapshotParameters();
        try
        {
            using var maml = new Maml(model, new InnerLoopOptions { Steps = 2, StepSize = 0.01, TaskBatching = batching });
            using var optimizer = optim.Adam(maml.MetaParameters, 0.001);
            var sampler = new SinusoidTaskSampler(new SinusoidTaskOptions { Shots = 5, Queries = 5 });
            var losses = new double[4];
            for (int i = 0; i < losses.Length; i++)
            {
                var episodes = Enumerable.Range(10 * i, 4).Select(sampler.Sample).ToArray();
                optimizer.zero_grad();
                var result = maml.AccumulateMetaGradient(episodes, i);
                result.TaskBatched.Should().Be(batching);
                losses[i] = result.MeanQueryLoss;
                optimizer.step();
                foreach (var e in episodes)
                {
                    e.Dispose();
                }
            }

            return losses;
        }
        finally
        {
            model.LoadParameterValues(start);
            foreach (var s in start)
            {
                s.Dispose();
            }
        }
    }

    private static double[] FiniteDifferences(IFunctionalModel model, Func<double> loss)
    {
        const double h = 1e-6;
        var result = new List<double>();
        foreach (var p in model.Parameters)
        {
            var flat = p.detach().view(-1);
            for (long i = 0; i < flat.shape[0]; i++)
            {
                double original = flat[i].ToDouble();
                using (no_grad())
                {
                    flat[i] = original + h;
                }

                double plus = loss();
                using (no_grad())
                {
                    flat[i] = original - h;
                }

                double minus = loss();
                using (no_grad())
                {
                    flat[i] = original;
                }

                result.Add((plus - minus) / (2 * h));
            }
        }

        return result.ToArray();
    }

    /// <summary>A model written on the base class: a body, a head, and a parameter the forward pass never reads.</summary>
    private sealed class SpareHead : FunctionalModel
    {
        public SpareHead()
            : base(seed: 2, ScalarType.Float64)
        {
            AddUniformParameter("body.weight", new long[] { 8, 1 }, 1.0);
            AddConstantParameter("body.bias", new long[] { 8 }, 0.0);
            MarkHeadStart();
            AddUniformParameter("head.weight", new long[] { 1, 8 }, 0.3);
            AddConstantParameter("head.bias", new long[] { 1 }, 0.0);
            AddUniformParameter("spare.weight", new long[] { 1, 8 }, 0.3);
        }

        public override bool SupportsTaskBatching => true;

        protected override Tensor Run(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> weights, ForwardContext context)
        {
            var h = Layers.Linear(inputs[0], weights[0], weights[1], context.TaskBatched).tanh();
            return Layers.Linear(h, weights[2], weights[3], context.TaskBatched);
        }
    }
}
