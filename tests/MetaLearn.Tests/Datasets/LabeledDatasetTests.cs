using MetaLearn.Datasets;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Datasets;

public sealed class LabeledDatasetTests
{
    [Fact]
    public void Constructor_ValidInput_IndexesExamplesByClass()
    {
        using var data = new LabeledDataset(
            zeros(5, 2),
            new[] { 1, 0, 1, 2, 1 },
            new[] { new LabeledClass("a", "G"), new LabeledClass("b", "G"), new LabeledClass("c", "H") });

        data.Count.Should().Be(5);
        data.ExampleShape.Should().Equal(2L);
        data.IndicesOf(0).Should().Equal(1);
        data.IndicesOf(1).Should().Equal(0, 2, 4);
        data.IndicesOf(2).Should().Equal(3);
        data.Groups.Should().Equal("G", "H");
        data.ClassesInGroup("G").Should().Equal(0, 1);
        data.Classes[2].FullName.Should().Be("H/c");
    }

    [Fact]
    public void Constructor_NonFloatExamples_ThrowsArgumentException()
    {
        var act = () => new LabeledDataset(zeros(2, 2, ScalarType.Int64), new[] { 0, 0 }, new[] { new LabeledClass("a", "") });

        act.Should().Throw<ArgumentException>().WithMessage("*float32 or float64*");
    }

    [Fact]
    public void Constructor_LabelOutOfRange_ThrowsNamingTheExample()
    {
        var act = () => new LabeledDataset(zeros(2, 2), new[] { 0, 3 }, new[] { new LabeledClass("a", "") });

        act.Should().Throw<ArgumentException>().WithMessage("*Label 3 of example 1*");
    }

    [Fact]
    public void Constructor_LabelCountMismatch_ThrowsArgumentException()
    {
        var act = () => new LabeledDataset(zeros(3, 2), new[] { 0, 0 }, new[] { new LabeledClass("a", "") });

        act.Should().Throw<ArgumentException>().WithMessage("*3 examples but 2 labels*");
    }

    [Fact]
    public void IndicesOf_UnknownClass_ThrowsArgumentOutOfRange()
    {
        using var data = SyntheticDatasets.Build(("G", 2, 2));

        var act = () => data.IndicesOf(2);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void WhereGroups_OneGroup_KeepsItsClassesRenumberedWithTheirExamples()
    {
        using var data = SyntheticDatasets.Build(("A", 2, 3), ("B", 3, 2));

        using var b = data.WhereGroups("B");

        b.Classes.Select(c => c.FullName).Should().Equal("B/class00", "B/class01", "B/class02");
        b.Labels.Should().Equal(0, 0, 1, 1, 2, 2);
        // Group A holds examples 0..5, so B's examples are 6..11, in order.
        SyntheticDatasets.ExampleIds(b.Examples).Should().Equal(6, 7, 8, 9, 10, 11);
        data.Count.Should().Be(12, "the source data set is unchanged");
    }

    [Fact]
    public void WhereGroups_UnknownGroup_ThrowsListingKnownGroups()
    {
        using var data = SyntheticDatasets.Build(("A", 1, 1), ("B", 1, 1));

        var act = () => data.WhereGroups("C");

        act.Should().Throw<ArgumentException>().WithMessage("*'C'*A, B*");
    }

    [Fact]
    public void ExceptGroups_ListedAndUnknownGroups_DropsListedIgnoresUnknown()
    {
        using var data = SyntheticDatasets.Build(("A", 1, 2), ("B", 2, 1), ("C", 1, 1));

        using var rest = data.ExceptGroups("A", "Z");

        rest.Groups.Should().Equal("B", "C");
        SyntheticDatasets.ExampleIds(rest.Examples).Should().Equal(2, 3, 4);
        rest.Labels.Should().Equal(0, 1, 2);
    }

    [Fact]
    public void WhereClasses_NothingMatches_ThrowsArgumentException()
    {
        using var data = SyntheticDatasets.Build(("A", 2, 1));

        var act = () => data.WhereClasses(c => c.Name == "nothing");

        act.Should().Throw<ArgumentException>().WithMessage("*No class*");
    }
}
