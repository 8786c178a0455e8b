using MetaLearn.Sampling;

namespace MetaLearn.Tests.Sampling;

public sealed class TaskSamplersTests
{
    [Fact]
    public void Factories_ReturnSamplersThatHonourTheirOptions()
    {
        using var sine = TaskSamplers.Sinusoid(new SinusoidTaskOptions { Shots = 3, Queries = 4 }).Sample(1);
        using var multimodal = TaskSamplers.Multimodal(new MultimodalTaskOptions { ModalityFeatures = new[] { 2, 3, 5 } }).Sample(1);
        using var gaussian = TaskSamplers.GaussianClassification(new GaussianClassificationTaskOptions { Ways = 4, Shots = 2 }).Sample(1);
        using var makeClassification = TaskSamplers.MakeClassification().Sample(1);

        sine.SupportInput.shape.Should().Equal(3, 1);
        sine.QueryInput.shape.Should().Equal(4, 1);
        multimodal.SupportInputs.Select(t => t.shape[1]).Should().Equal(2, 3, 5);
        gaussian.SupportTargets.shape.Should().Equal(8);
        makeClassification.SupportInput.shape.Should().Equal(15, 20);
        makeClassification.QueryInput.shape.Should().Equal(45, 20);
    }
}
