using MetaLearn.Datasets;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Datasets;

public sealed class LabeledDatasetTabularTests
{
    [Fact]
    public void FromRows_RowMajorValues_ReadBackByRowColumnAndIndexer()
    {
        using var data = LabeledDataset.FromRows(new[] { 1.0, 2, 3, 4, 5, 6 }, 3, new[] { 1, 0 }, 2);

        data.Count.Should().Be(2);
        data.Features.Should().Be(3);
        data[1, 2].Should().Be(6);
        data.Row(0).Should().Equal(1, 2, 3);
        data.Column(1).Should().Equal(2, 5);
        data.ToRowMajor().Should().Equal(1, 2, 3, 4, 5, 6);
        data.ToMatrix()[1, 0].Should().Be(4);
        data.IndicesOf(0).Should().Equal(1);
        data.Classes.Select(c => c.FullName).Should().Equal("0", "1");
    }

    [Fact]
    public void FromRows_SizesDisagree_ThrowsSayingWhatIsNeeded()
    {
        var act = () => LabeledDataset.FromRows(new[] { 1.0, 2, 3 }, 2, new[] { 0, 1 }, 2);
        act.Should().Throw<ArgumentException>().WithMessage("*2 labels with 2 features need 4 values, got 3*");
    }

    [Fact]
    public void FromRows_LabelBeyondClasses_ThrowsNamingTheExample()
    {
        var act = () => LabeledDataset.FromRows(new[] { 1.0, 2 }, 1, new[] { 0, 2 }, 2);
        act.Should().Throw<ArgumentException>().WithMessage("*Label 2 of example 1*");
    }

    [Fact]
    public void Features_ImageExamples_ThrowsInvalidOperationNamingTheShape()
    {
        using var images = new LabeledDataset(zeros(2, 1, 4, 4), new[] { 0, 0 }, new[] { new LabeledClass("a", "") });
        var act = () => images.Features;
        act.Should().Throw<InvalidOperationException>().WithMessage("*[1, 4, 4]*rows of features*");
    }
}
