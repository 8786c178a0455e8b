using MetaLearn.Datasets;

namespace MetaLearn.Tests.Datasets;

public sealed class ImageFolderTests
{
    [Fact]
    public void FromImageFolder_ClassFolders_OneClassPerFolderWithoutGroups()
    {
        using var temp = new TempFolder();
        var a = OmniglotFiles.Drawings("Greek", "character01", 3);
        var b = OmniglotFiles.Drawings("Latin", "character02", 2);
        for (int i = 0; i < a.Length; i++)
        {
            temp.Write($"alpha/{i}.png", a[i]);
        }

        for (int i = 0; i < b.Length; i++)
        {
            temp.Write($"beta/{i}.png", b[i]);
        }

        temp.Write("beta/notes.txt", [1, 2, 3]);

        using var data = LabeledDataset.FromImageFolder(temp.Path, new ImageLoadOptions { ImageSize = 14 });

        data.Classes.Should().Equal(new LabeledClass("alpha", ""), new LabeledClass("beta", ""));
        data.Labels.Should().Equal(0, 0, 0, 1, 1);
        data.Groups.Should().BeEmpty();
        data.Examples.shape.Should().Equal(5L, 1L, 14L, 14L);
        // Not inverted: Omniglot's white paper is 1, so the mean is high.
        data.Examples.mean().item<float>().Should().BeGreaterThan(0.5f);
    }

    [Fact]
    public void FromImageFolder_GroupFolders_KeepsGroupAndClassNames()
    {
        using var temp = new TempFolder();
        var drawing = OmniglotFiles.Drawings("Greek", "character01", 1)[0];
        temp.Write("root/G1/c1/a.png", drawing);
        temp.Write("root/G1/c2/a.png", drawing);
        temp.Write("root/G2/c1/a.png", drawing);

        using var data = LabeledDataset.FromImageFolder(Path.Combine(temp.Path, "root"));

        data.Classes.Select(c => c.FullName).Should().Equal("G1/c1", "G1/c2", "G2/c1");
        data.Groups.Should().Equal("G1", "G2");
    }

    [Fact]
    public void FromImageFolder_MixedDepths_ThrowsNamingTheOddFile()
    {
        using var temp = new TempFolder();
        var drawing = OmniglotFiles.Drawings("Greek", "character01", 1)[0];
        temp.Write("G1/c1/a.png", drawing);
        temp.Write("G1/c2/deeper/b.png", drawing);

        var act = () => LabeledDataset.FromImageFolder(temp.Path);

        act.Should().Throw<ArgumentException>().WithMessage("*G1/c2/deeper/b.png*");
    }

    [Fact]
    public void FromImageFolder_MissingPath_ThrowsArgumentException()
    {
        var act = () => LabeledDataset.FromImageFolder("/no/such/folder");

        act.Should().Throw<ArgumentException>().WithMessage("*neither a folder nor a file*");
    }

    [Fact]
    public void FromImageFolder_UndecodableImage_ThrowsNamingTheFile()
    {
        using var temp = new TempFolder();
        temp.Write("c1/broken.png", [1, 2, 3, 4]);

        var act = () => LabeledDataset.FromImageFolder(temp.Path);

        act.Should().Throw<ArgumentException>().WithMessage("*c1/broken.png*");
    }
}
