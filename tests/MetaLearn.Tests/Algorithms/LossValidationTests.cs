using MetaLearn.Algorithms;
using MetaLearn.Tasks;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Algorithms;

/// <summary>Targets that do not fit the loss fail with a message that says what to do, before any loss or update.</summary>
public sealed class LossValidationTests
{
    [Fact]
    public void Episode_Int32ClassLabels_ThrowsAskingForInt64()
    {
        var labels = tensor(new[] { 0, 1, 2 }, dtype: ScalarType.Int32);
        var act = () => new Episode(zeros(3, 4), labels, zeros(3, 4), labels.clone(), new EpisodeInfo(3, 1, 1, 0, TaskKind.Classification));
        act.Should().Throw<ArgumentException>().WithMessage("The support targets are Int32 but class labels must be int64*.to(ScalarType.Int64)*");
    }

    [Fact]
    public void Episode_FloatTargetsDeclaredClassification_ThrowsNamingBothFixes()
    {
        var act = () => new Episode(zeros(3, 1), zeros(3, 1), zeros(3, 1), zeros(3, 1), new EpisodeInfo(1, 3, 3, 0, TaskKind.Classification));
        act.Should().Throw<ArgumentException>().WithMessage("*Float32 values but the episode is declared TaskKind.Classification*Kind = TaskKind.Regression*");
    }

    [Fact]
    public void Episode_Int64TargetsDeclaredRegression_ThrowsSuggestingClassification()
    {
        var labels = tensor(new long[] { 0, 1 });
        var act = () => new Episode(zeros(2, 1), labels, zeros(2, 1), labels.clone(), new EpisodeInfo(1, 2, 2, 0, TaskKind.Regression));
        act.Should().Throw<ArgumentException>().WithMessage("*Int64 but the episode is declared TaskKind.Regression*Kind = TaskKind.Classification*");
    }

    [Fact]
    public void Episode_MultiLabelTargetsOfTheWrongWidth_Throws()
    {
        var act = () => new Episode(zeros(2, 4), zeros(2, 3), zeros(2, 4), zeros(2, 3), new EpisodeInfo(5, 2, 2, 0, TaskKind.MultiLabel));
        act.Should().Throw<ArgumentException>().WithMessage("*shape [2, 3] but a multi-label episode with 5 labels needs [N, 5]*");
    }

    [Fact]
    public void Maml_CrossEntropyOnRegressionTargets_ThrowsBeforeAnyUpdate()
    {
        using var model = TestEpisodes.TinyRegressor();
        using var episode = TestEpisodes.Sine(1);
        using var maml = new Maml(model, new InnerLoopOptions { Loss = Loss.CrossEntropy() });
        var before = TestEpisodes.Flatten(model.Parameters);
        var act = () => maml.AccumulateMetaGradient(new[] { episode }, 0);
        act.Should().Throw<ArgumentException>().WithMessage("cross-entropy needs int64 class labels, but the targets are Float64 values*TaskKind.Regression*");
        TestEpisodes.Flatten(model.Parameters).Should().Equal(before);
        model.Parameters.Select(p => p.grad).Should().AllSatisfy(g => g.Should().BeNull());
    }

    [Fact]
    public void Maml_RegressionTargetsShapedNAgainstOutputsNBy1_ThrowsInsteadOfBroadcasting()
    {
        using var model = TestEpisodes.TinyRegressor();
        using var sine = TestEpisodes.Sine(1, shots: 5, queries: 5);
        using var episode = new Episode(sine.SupportInput.clone(), sine.SupportTargets.view(-1).clone(), sine.QueryInput.clone(), sine.QueryTargets.view(-1).clone(), sine.Info);
        using var maml = new Maml(model, new InnerLoopOptions());
        var before = TestEpisodes.Flatten(model.Parameters);
        var act = () => maml.AccumulateMetaGradient(new[] { episode }, 0);
        act.Should().Throw<ArgumentException>().WithMessage("The targets have shape [5] but the model outputs [5, 1]*broadcasting*targets.unsqueeze(-1)*");
        TestEpisodes.Flatten(model.Parameters).Should().Equal(before);
    }

    [Fact]
    public void Maml_MoreClassesThanTheHeadHas_ThrowsNamingBoth()
    {
        using var model = TestEpisodes.TinyClassifier(ways: 3);
        using var episode = TestEpisodes.Gaussian(2, ways: 5);
        using var maml = new Maml(model, new InnerLoopOptions());
        var act = () => maml.AccumulateMetaGradient(new[] { episode }, 0);
        act.Should().Throw<ArgumentException>().WithMessage("The task has 5 classes (labels 0..4) but the model's head outputs 3 values per example*head of 5 outputs*");
        model.Parameters.Select(p => p.grad).Should().AllSatisfy(g => g.Should().BeNull());
    }

    [Fact]
    public void Reptile_MeanSquaredErrorOnClassLabels_ThrowsPointingToCrossEntropy()
    {
        using var model = TestEpisodes.TinyClassifier();
        using var episode = TestEpisodes.Gaussian(3);
        using var reptile = new Reptile(model, new ReptileOptions { Loss = Loss.MeanSquaredError });
        var act = () => reptile.AccumulateMetaGradient(new[] { episode }, 0);
        act.Should().Throw<ArgumentException>().WithMessage("mean squared error needs floating-point targets*Int64 (class labels?)*Loss.CrossEntropy()*");
    }

    [Fact]
    public void Adapt_Int32Classes_ThrowsAskingForInt64()
    {
        using var model = TestEpisodes.TinyClassifier();
        using var maml = new Maml(model, new InnerLoopOptions());
        var act = () => maml.Adapt(zeros(3, 4, dtype: ScalarType.Float64), tensor(new[] { 0, 1, 2 }, dtype: ScalarType.Int32), new AdaptationOptions { Kind = TaskKind.Classification });
        act.Should().Throw<ArgumentException>().WithMessage("Class labels must be int64 (got Int32)*");
    }

    [Fact]
    public void DefaultLoss_ComesFromTheTaskKind()
    {
        Loss.For(TaskKind.Classification).Name.Should().Be("cross-entropy");
        Loss.For(TaskKind.Regression).Should().BeSameAs(Loss.MeanSquaredError);
        Loss.For(TaskKind.MultiLabel).Should().BeSameAs(Loss.BinaryCrossEntropyWithLogits);
        Loss.L1.Resolve(TaskKind.Classification).Should().BeSameAs(Loss.L1);
        var act = () => Loss.ByTaskKind.PerTask(zeros(2, 1), zeros(2, 1), false);
        act.Should().Throw<InvalidOperationException>().WithMessage("*Resolve*");

        // A multi-label episode: the default loss is binary cross-entropy on logits, not the mean squared error.
        using var model = TestEpisodes.TinyClassifier(ways: 3);
        using var scope = NewDisposeScope();
        manual_seed(4);
        var y = rand(6, 3, dtype: ScalarType.Float64).gt(tensor(0.5)).to(ScalarType.Float64);
        using var episode = new Episode(randn(6, 4, dtype: ScalarType.Float64), y, randn(6, 4, dtype: ScalarType.Float64), y.clone(), new EpisodeInfo(3, 6, 6, 0, TaskKind.MultiLabel));
        double LossWith(Loss loss)
        {
            using var maml = new Maml(model, new InnerLoopOptions { Loss = loss });
            double value = maml.AccumulateMetaGradient(new[] { episode }, 0).MeanQueryLoss;
            TestEpisodes.ZeroGrads(model.Parameters);
            return value;
        }

        double byKind = LossWith(Loss.ByTaskKind);
        LossWith(Loss.BinaryCrossEntropyWithLogits).Should().Be(byKind);
        LossWith(Loss.MeanSquaredError).Should().NotBeApproximately(byKind, 1e-3);
    }

    [Fact]
    public void ReptileAndProtoNets_TakeTheLossOption()
    {
        using var model = TestEpisodes.TinyClassifier();
        using var episode = TestEpisodes.Gaussian(5);
        double ReptileLoss(Loss loss)
        {
            using var reptile = new Reptile(model, new ReptileOptions { Loss = loss, OuterUpdate = ReptileOuterUpdate.OuterOptimizer });
            double value = reptile.AccumulateMetaGradient(new[] { episode }, 0).MeanQueryLoss;
            TestEpisodes.ZeroGrads(model.Parameters);
            return value;
        }

        double reptileDefault = ReptileLoss(Loss.ByTaskKind);
        ReptileLoss(Loss.CrossEntropy()).Should().Be(reptileDefault);
        ReptileLoss(Loss.CrossEntropy(0.3)).Should().NotBeApproximately(reptileDefault, 1e-6);

        double ProtoLoss(Loss? loss)
        {
            using var protonet = new PrototypicalNetworks(model, loss: loss);
            double value = protonet.AccumulateMetaGradient(new[] { episode }, 0).MeanQueryLoss;
            TestEpisodes.ZeroGrads(model.Parameters);
            return value;
        }

        double protoDefault = ProtoLoss(null);
        ProtoLoss(Loss.CrossEntropy()).Should().Be(protoDefault);
        ProtoLoss(Loss.CrossEntropy(0.3)).Should().NotBeApproximately(protoDefault, 1e-6);
        var act = () => new PrototypicalNetworks(model, loss: Loss.MeanSquaredError);
        act.Should().Throw<ArgumentException>().WithMessage("*loss must take class labels*'mean squared error' compares values*");
    }
}
