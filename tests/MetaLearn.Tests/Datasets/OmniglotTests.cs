using System.Diagnostics;
using System.IO.Compression;
using MetaLearn.Datasets;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Datasets;

public sealed class OmniglotTests
{
    [Fact]
    public void Load_Small1Zip_Gives136CharactersOf20DrawingsInFiveAlphabets()
    {
        var watch = Stopwatch.StartNew();
        using var data = LabeledDataset.FromOmniglot(OmniglotFiles.Small1Zip);
        watch.Stop();

        data.Count.Should().Be(2720);
        data.Classes.Should().HaveCount(136);
        data.Groups.Should().Equal("Balinese", "Early_Aramaic", "Greek", "Korean", "Latin");
        Enumerable.Range(0, 136).Select(c => data.IndicesOf(c).Count).Should().AllSatisfy(n => n.Should().Be(20));
        data.Classes[0].Should().Be(new LabeledClass("character01", "Balinese"));
        data.Examples.shape.Should().Equal(2720L, 1L, 28L, 28L);
        data.Examples.min().item<float>().Should().Be(0f);
        data.Examples.max().item<float>().Should().BeLessThanOrEqualTo(1f);
        // Strokes are 1 on a 0 background: most pixels are exactly 0 and the mean ink coverage is small.
        data.Examples.eq(0).to(ScalarType.Float32).mean().item<float>().Should().BeGreaterThan(0.6f);
        data.Examples.mean().item<float>().Should().BeInRange(0.02f, 0.25f);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Load_ExtractedFolder_GivesTheSameTensorAsTheZip()
    {
        using var temp = new TempFolder();
        ZipFile.ExtractToDirectory(OmniglotFiles.Small1Zip, temp.Path);
        var options = ImageLoadOptions.Omniglot with { ImageSize = 20 };

        using var fromZip = LabeledDataset.FromOmniglot(OmniglotFiles.Small1Zip, options);
        using var fromFolder = LabeledDataset.FromOmniglot(Path.Combine(temp.Path, "images_background_small1"), options);
        using var fromParent = LabeledDataset.FromOmniglot(temp.Path, options);

        fromFolder.Examples.shape.Should().Equal(2720L, 1L, 20L, 20L);
        fromFolder.Examples.allclose(fromZip.Examples, rtol: 0, atol: 0).Should().BeTrue();
        fromParent.Examples.allclose(fromZip.Examples, rtol: 0, atol: 0).Should().BeTrue();
        fromFolder.Classes.Should().Equal(fromZip.Classes);
        fromFolder.Labels.Should().Equal(fromZip.Labels);
    }

    [Fact]
    public void ExceptGroups_Small2WithoutSmall1Alphabets_LeavesTheThreeValidationAlphabets()
    {
        using var small2 = LabeledDataset.FromOmniglot(OmniglotFiles.Small2Zip);

        using var validation = small2.ExceptGroups("Balinese", "Early_Aramaic", "Greek", "Korean", "Latin");

        small2.Count.Should().Be(3120);
        small2.Classes.Should().HaveCount(156);
        validation.Groups.Should().Equal("Japanese_(katakana)", "Sanskrit", "Tagalog");
        // 47 + 42 + 17 characters (from the archive listing), 20 drawings each.
        validation.Classes.Should().HaveCount(106);
        validation.Count.Should().Be(2120);
    }

    [Fact]
    public void Load_FolderNotInOmniglotLayout_ThrowsNamingTheLayout()
    {
        using var temp = new TempFolder();
        temp.Write("character01/a.png", OmniglotFiles.Drawings("Greek", "character01", 1)[0]);
        temp.Write("character02/a.png", OmniglotFiles.Drawings("Greek", "character02", 1)[0]);

        var act = () => LabeledDataset.FromOmniglot(temp.Path);

        act.Should().Throw<ArgumentException>().WithMessage("*<Alphabet>/<character>/<drawing>.png*");
    }

    [Fact]
    public void Load_StrokesAreOneAfterInversion_AndMatchTheUninvertedImageFlipped()
    {
        using var temp = new TempFolder();
        var drawings = OmniglotFiles.Drawings("Korean", "character05", 2);
        temp.Write("Korean/character05/a.png", drawings[0]);
        temp.Write("Korean/character05/b.png", drawings[1]);

        using var omniglot = LabeledDataset.FromOmniglot(temp.Path);
        using var plain = LabeledDataset.FromImageFolder(temp.Path);

        omniglot.Examples.add(plain.Examples).allclose(ones(2, 1, 28, 28), atol: 1e-5).Should().BeTrue();
        omniglot.Classes.Should().Equal(new LabeledClass("character05", "Korean"));
    }
}
