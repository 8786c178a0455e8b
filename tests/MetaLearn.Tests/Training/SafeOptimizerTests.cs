using MetaLearn.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Training;

public sealed class SafeOptimizerTests
{
    public static TheoryData<bool, double, bool> AdamVariants => new()
    {
        { false, 0.0, false },
        { true, 0.0, false },
        { false, 0.01, false },
        { false, 0.0, true },
    };

    [Theory]
    [MemberData(nameof(AdamVariants))]
    public void Adam_SameGradients_GivesBitIdenticalParametersToTorchSharpAdam(bool amsgrad, double weightDecay, bool maximize)
    {
        var (mine, theirs) = Pair(ScalarType.Float32);
        using var safe = SafeOptimizers.Adam(mine, lr: 0.01, beta1: 0.8, beta2: 0.95, eps: 1e-6, weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize);
        using var reference = optim.Adam(theirs, lr: 0.01, beta1: 0.8, beta2: 0.95, eps: 1e-6, weight_decay: weightDecay, amsgrad: amsgrad, maximize: maximize);

        StepBoth(mine, theirs, safe, reference, steps: 25);

        safe.Should().BeOfType<SafeAdam>("the step that holds its Scalars is SafeAdam's");

        TestEpisodes.Flatten(mine).Should().Equal(TestEpisodes.Flatten(theirs));
        TestEpisodes.Flatten(mine).Should().NotEqual(Initial(ScalarType.Float32), "the parameters moved");
    }

    [Fact]
    public void NullParameters_AreRefusedByNameBeforeAnOptimizerIsBuilt()
    {
        var adam = () => SafeOptimizers.Adam(null!);
        var sgd = () => SafeOptimizers.Sgd(null!, lr: 0.1);

        adam.Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("parameters");
        sgd.Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("parameters");
    }

    [Theory]
    [InlineData("lr", double.NaN)]
    [InlineData("lr", -0.01)]
    [InlineData("beta1", 1.0)]
    [InlineData("beta2", -0.1)]
    [InlineData("eps", double.PositiveInfinity)]
    [InlineData("weightDecay", -1.0)]
    public void Adam_InvalidCoefficient_IsRefusedByNameBeforeAnyStep(string name, double value)
    {
        var (mine, _) = Pair(ScalarType.Float32);
        var act = () => SafeOptimizers.Adam(
            mine,
            lr: name == "lr" ? value : 0.01,
            beta1: name == "beta1" ? value : 0.9,
            beta2: name == "beta2" ? value : 0.999,
            eps: name == "eps" ? value : 1e-8,
            weightDecay: name == "weightDecay" ? value : 0);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(name);
        TestEpisodes.Flatten(mine).Should().Equal(Initial(ScalarType.Float32), "nothing was built, so nothing stepped");
    }

    [Theory]
    [InlineData("lr", double.NaN)]
    [InlineData("momentum", -0.5)]
    [InlineData("dampening", double.NaN)]
    [InlineData("weightDecay", double.NegativeInfinity)]
    public void Sgd_InvalidCoefficient_IsRefusedByName(string name, double value)
    {
        var (mine, _) = Pair(ScalarType.Float64);
        var act = () => SafeOptimizers.Sgd(
            mine,
            lr: name == "lr" ? value : 0.01,
            momentum: name == "momentum" ? value : 0,
            dampening: name == "dampening" ? value : 0,
            weightDecay: name == "weightDecay" ? value : 0);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(name);
    }

    [Fact]
    public void Sgd_NesterovWithoutMomentum_IsRefused()
    {
        var (mine, _) = Pair(ScalarType.Float64);
        var act = () => SafeOptimizers.Sgd(mine, lr: 0.01, nesterov: true);

        act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("nesterov");
    }

    [Theory]
    [InlineData(0.0, 0.0, false)]
    [InlineData(0.9, 0.1, false)]
    [InlineData(0.9, 0.0, true)]
    public void Sgd_SameGradients_GivesBitIdenticalParametersToTorchSharpSgd(double momentum, double dampening, bool nesterov)
    {
        var (mine, theirs) = Pair(ScalarType.Float64);
        using var safe = SafeOptimizers.Sgd(mine, lr: 0.05, momentum: momentum, dampening: dampening, weightDecay: 0.001, nesterov: nesterov);
        using var reference = optim.SGD(theirs, 0.05, momentum, dampening, 0.001, nesterov);

        StepBoth(mine, theirs, safe, reference, steps: 10);

        safe.Should().BeOfType<SafeSgd>("the step that holds its Scalars is SafeSgd's");

        TestEpisodes.Flatten(mine).Should().Equal(TestEpisodes.Flatten(theirs));
    }

    [Fact]
    public void Adam_StateFile_RoundTripsAndContinuesIdentically()
    {
        var (a, b) = Pair(ScalarType.Float32);
        using var first = SafeOptimizers.Adam(a, lr: 0.01);
        using var second = SafeOptimizers.Adam(b, lr: 0.01);
        StepBoth(a, b, first, second, steps: 3);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            first.save_state_dict(writer);
        }

        var (c, _) = Pair(ScalarType.Float32);
        using (no_grad())
        {
            for (int i = 0; i < c.Length; i++)
            {
                c[i].copy_(a[i]);
            }
        }

        using var restored = SafeOptimizers.Adam(c, lr: 0.01);
        stream.Position = 0;
        using (var reader = new BinaryReader(stream))
        {
            restored.load_state_dict(reader);
        }

        StepBoth(a, c, first, restored, steps: 3, seed: 9);

        TestEpisodes.Flatten(c).Should().Equal(TestEpisodes.Flatten(a));
    }

    private static void StepBoth(Parameter[] mine, Parameter[] theirs, optim.Optimizer safe, optim.Optimizer reference, int steps, int seed = 3)
    {
        var generator = new Generator((ulong)seed);
        for (int s = 0; s < steps; s++)
        {
            using var scope = NewDisposeScope();
            for (int i = 0; i < mine.Length; i++)
            {
                var grad = randn(mine[i].shape, mine[i].dtype, generator: generator);
                mine[i].grad = grad.clone();
                theirs[i].grad = grad.clone();
            }

            safe.step();
            reference.step();
        }
    }

    private static (Parameter[] Mine, Parameter[] Theirs) Pair(ScalarType dtype)
    {
        var values = Initial(dtype);
        Parameter[] Make() => new[]
        {
            new Parameter(tensor(values[..12], new long[] { 3, 4 }, dtype)),
            new Parameter(tensor(values[12..], new long[] { 4 }, dtype)),
        };

        return (Make(), Make());
    }

    private static double[] Initial(ScalarType dtype)
    {
        var random = new Random(1);
        return Enumerable.Range(0, 16).Select(_ => dtype == ScalarType.Float32 ? (float)random.NextDouble() : random.NextDouble()).ToArray();
    }
}
