using MetaLearn.Datasets;

namespace MetaLearn.Tests.Datasets;

public sealed class CsvTableTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("metalearn-csv-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Read_LabelledFile_ReadsFeaturesLabelsAndLines()
    {
        string path = Write("f0,f1,y\n1.5,-2e-1,1\n\n3,4,0\n 5 , 6 ,1\n");

        var table = CsvTable.Read(path);

        table.FeatureNames.Should().Equal("f0", "f1");
        table.Count.Should().Be(3);
        table.Features.Should().BeEquivalentTo(new float[,] { { 1.5f, -0.2f }, { 3f, 4f }, { 5f, 6f } });
        table.Labels.Should().Equal("1", "0", "1");
        table.LineNumbers.Should().Equal(2, 4, 5);
        table.ClassNames().Should().Equal("0", "1");
        table.ClassIds().Should().Equal(1, 0, 1);
    }

    [Fact]
    public void Read_LabelColumnInTheMiddle_LeavesItOutOfTheFeatures()
    {
        string path = Write("a,class,b\n1,cat,2\n3,dog,4\n");

        var table = CsvTable.Read(path, new CsvTableOptions { LabelColumn = "class" });

        table.FeatureNames.Should().Equal("a", "b");
        table.Features.Should().BeEquivalentTo(new float[,] { { 1f, 2f }, { 3f, 4f } });
        table.ClassNames().Should().Equal("cat", "dog");
    }

    [Fact]
    public void Read_NoLabelColumn_ReadsEveryColumnAsFeature()
    {
        string path = Write("a;b\n1;2\n");

        var table = CsvTable.Read(path, new CsvTableOptions { LabelColumn = null, Separator = ';' });

        table.HasLabels.Should().BeFalse();
        table.FeatureNames.Should().Equal("a", "b");
        table.Features.Should().BeEquivalentTo(new float[,] { { 1f, 2f } });
    }

    [Fact]
    public void Read_OptionalLabelAbsent_ReadsUnlabelledRows()
    {
        string path = Write("f0,f1\n1,2\n");

        var table = CsvTable.Read(path, new CsvTableOptions { LabelRequired = false });

        table.HasLabels.Should().BeFalse();
        table.FeatureNames.Should().Equal("f0", "f1");
    }

    [Fact]
    public void Read_NonNumber_NamesFileLineAndColumn()
    {
        string path = Write("f0,f1,y\n1,2,0\n3,abc,1\n");

        var act = () => CsvTable.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"{path}: line 3, column 2 ('f1'): 'abc' is not a finite number*");
    }

    [Fact]
    public void Read_DecimalComma_IsRejectedAsNonNumber()
    {
        string path = Write("f0;y\n1,5;0\n");

        var act = () => CsvTable.Read(path, new CsvTableOptions { Separator = ';' });

        act.Should().Throw<InvalidDataException>().WithMessage("*line 2, column 1 ('f0'): '1,5' is not a finite number*invariant culture*");
    }

    [Fact]
    public void Read_MissingValue_NamesFileLineAndColumn()
    {
        string path = Write("f0,f1,y\n1,2,0\n3,4,1\n5,,1\n");

        var act = () => CsvTable.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"{path}: line 4, column 2 ('f1'): the value is missing*");
    }

    [Fact]
    public void Read_MissingLabel_NamesFileLineAndColumn()
    {
        string path = Write("f0,y\n1,\n");

        var act = () => CsvTable.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"{path}: line 2, column 2 ('y'): the label is missing*");
    }

    [Fact]
    public void Read_RaggedRow_NamesFileLineAndFieldCounts()
    {
        string path = Write("f0,f1,y\n1,2,0\n3,4\n");

        var act = () => CsvTable.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"{path}: line 3: the row has 2 field(s) but the header has 3*");
    }

    [Fact]
    public void Read_LabelColumnAbsent_NamesFileAndHeader()
    {
        string path = Write("f0,f1\n1,2\n");

        var act = () => CsvTable.Read(path, new CsvTableOptions { LabelColumn = "label" });

        act.Should().Throw<InvalidDataException>().WithMessage($"{path}: line 1: there is no label column 'label'; the header has 'f0', 'f1'*");
    }

    [Fact]
    public void Read_HeaderOnly_SaysThereAreNoRows()
    {
        string path = Write("f0,y\n");

        var act = () => CsvTable.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"{path}: the file has a header but no rows.");
    }

    [Fact]
    public void RequireRowsPerClass_TooFewRows_NamesFileColumnClassAndLines()
    {
        string path = Write("f0,y\n1,a\n2,b\n3,a\n4,b\n5,b\n");
        var table = CsvTable.Read(path);

        var act = () => table.RequireRowsPerClass(3);

        act.Should().Throw<InvalidDataException>()
            .WithMessage($"{path}: column 2 ('y'): class 'a' has 2 row(s) (line(s) 2, 4) but 3 are needed per class*");
    }

    [Fact]
    public void ToDataset_LabelledTable_KeepsValuesAndClassIds()
    {
        string path = Write("f0,f1,y\n1,2,2\n3,4,0\n5,6,2\n");

        using var data = CsvTable.Read(path).ToDataset();

        data.Examples.shape.Should().Equal(3L, 2L);
        data.Examples.dtype.Should().Be(torch.ScalarType.Float32);
        data.Examples[1, 1].ToSingle().Should().Be(4f);
        data.Labels.Should().Equal(1, 0, 1);
        data.Classes.Select(c => c.Name).Should().Equal("0", "2");
    }

    [Fact]
    public void ToDataset_FewerRowsThanMinimumPerClass_NamesFileColumnClassAndLines()
    {
        // The check an N-way K-shot user asks for with ToDataset(Shots + Queries), before any tensor is made.
        string path = Write("f0,y\n1,0\n2,0\n3,1\n4,1\n5,1\n");
        var table = CsvTable.Read(path);

        var act = () => table.ToDataset(minimumPerClass: 3);

        act.Should().Throw<InvalidDataException>().WithMessage($"{path}: column 2 ('y'): class '0' has 2 row(s) (line(s) 2, 3) but 3 are needed*");
    }

    [Fact]
    public void ToDataset_UnlabelledTable_ThrowsNamingTheFileAndTheOption()
    {
        string path = Write("f0,f1\n1,2\n");
        var table = CsvTable.Read(path, new CsvTableOptions { LabelRequired = false });

        var act = () => table.ToDataset();

        act.Should().Throw<InvalidOperationException>().WithMessage($"{path} has no label column; read it with CsvTableOptions.LabelColumn set.");
    }

    [Fact]
    public void Options_Defaults_LabelYCommaRequired()
    {
        var options = new CsvTableOptions();

        options.LabelColumn.Should().Be("y");
        options.LabelRequired.Should().BeTrue();
        options.Separator.Should().Be(',');
    }

    [Fact]
    public void Options_QuoteSeparator_Throws()
    {
        var act = () => new CsvTableOptions { Separator = '"' };

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*separator*");
    }

    private string Write(string text)
    {
        string path = Path.Combine(_directory, $"{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, text);
        return path;
    }
}
