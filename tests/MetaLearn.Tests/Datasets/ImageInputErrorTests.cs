using System.Buffers.Binary;
using MetaLearn.Datasets;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Datasets;

/// <summary>Bad image input fails at once with an <see cref="ArgumentException"/> that names the file and what to do.</summary>
public sealed class ImageInputErrorTests
{
    [Fact]
    public void FromImageFolder_UndecodableImageInZip_ThrowsArgumentExceptionNamingZipAndEntry()
    {
        using var temp = new TempFolder();
        var drawing = OmniglotFiles.Drawings("Greek", "character01", 1)[0];
        string zip = Path.Combine(temp.Path, "images.zip");
        ZipFiles.Write(zip, ("root/c1/good.png", drawing), ("root/c2/broken.png", [1, 2, 3, 4]));

        var thrown = Record.Exception(() => LabeledDataset.FromImageFolder(zip));

        thrown.Should().BeOfType<ArgumentException>("the parallel decode must not surface as an AggregateException");
        thrown!.Message.Should().Contain("entry 'root/c2/broken.png'").And.Contain($"zip '{zip}'")
            .And.Contain("unknown image type").And.Contain("Replace or remove the file");
        thrown.InnerException.Should().BeOfType<InvalidOperationException>();
    }

    [Fact]
    public void FromImageFolder_SeveralUndecodableImages_NamesTheFirstInPathOrder()
    {
        using var temp = new TempFolder();
        var drawing = OmniglotFiles.Drawings("Greek", "character01", 1)[0];
        temp.Write("c1/a.png", drawing);
        temp.Write("c1/b.png", [9, 9, 9]);
        temp.Write("c2/a.png", [7, 7]);

        var thrown = Record.Exception(() => LabeledDataset.FromImageFolder(temp.Path));

        thrown.Should().BeOfType<ArgumentException>();
        thrown!.Message.Should().Contain(Path.Combine(temp.Path, "c1/b.png")).And.Contain("1 other image(s) failed too");
    }

    [Fact]
    public void FromImageFolder_ZipEntryDeclaringOver2GB_ThrowsBeforeReadingItNamingTheLimit()
    {
        using var temp = new TempFolder();
        var drawing = OmniglotFiles.Drawings("Greek", "character01", 1)[0];
        string zip = Path.Combine(temp.Path, "huge.zip");
        ZipFiles.Write(zip, ("c1/a.png", drawing), ("c1/huge.png", drawing));
        // The central directory is what ZipArchiveEntry.Length reports: declare 3.75 GB for the second entry.
        ZipFiles.DeclareUncompressedSize(zip, "c1/huge.png", 0xF000_0000u);

        var thrown = Record.Exception(() => LabeledDataset.FromImageFolder(zip));

        thrown.Should().BeOfType<ArgumentException>();
        thrown!.Message.Should().Contain("Entry 'c1/huge.png'").And.Contain($"zip '{zip}'").And.Contain("declares 4,026,531,840 bytes")
            .And.Contain("InputLimits.MaxImageFileBytes allows (268,435,456 bytes)");
    }

    [Fact]
    public void CheckEntrySize_LengthAtAndOverTheArrayLimit_AcceptsTheLimitAndRefusesOneMore()
    {
        var raised = new InputLimits { MaxImageFileBytes = long.MaxValue };

        var atLimit = Record.Exception(() => ImageTree.CheckEntrySize("a.zip", "x.png", Array.MaxLength, raised));
        var over = Record.Exception(() => ImageTree.CheckEntrySize("a.zip", "x.png", Array.MaxLength + 1L, raised));

        atLimit.Should().BeNull();
        over.Should().BeOfType<ArgumentException>().Which.Message.Should().Contain("Entry 'x.png' of zip 'a.zip' declares 2,147,483,592 bytes")
            .And.Contain("more than one image file may have");
    }

    [Fact]
    public void FromImageFolder_ImageSizeWhoseTensorCannotBeAllocated_ThrowsBeforeDecoding()
    {
        using var temp = new TempFolder();
        temp.Write("c1/a.png", OmniglotFiles.Drawings("Greek", "character01", 1)[0]);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        var thrown = Record.Exception(() => LabeledDataset.FromImageFolder(temp.Path, new ImageLoadOptions { ImageSize = 1_000_000 }));

        thrown.Should().BeOfType<ArgumentException>();
        thrown!.Message.Should().Contain("images (1) * ImageSize (1000000) * ImageSize (1000000) = 1,000,000,000,000 values")
            .And.Contain("lower ImageLoadOptions.ImageSize");
        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(before);
    }

    [Fact]
    public void Decode_ResizeFailsOnTheSecondImageSize_ThrowsAndLeavesNoTensorAlive()
    {
        using var temp = new TempFolder();
        var drawing = OmniglotFiles.Drawings("Greek", "character01", 1)[0];
        string zip = Path.Combine(temp.Path, "two-sizes.zip");
        ZipFiles.Write(zip, ("c1/a.png", drawing), ("c1/b.bmp", Bitmap(7, 5)));
        var entries = ImageTree.List(zip, InputLimits.Default);
        int calls = 0;
        Tensor FailingSecondResize(Tensor images, int size)
        {
            if (++calls == 2)
            {
                throw new InvalidOperationException("resize failed");
            }

            return nn.functional.interpolate(images, new long[] { size, size }, mode: InterpolationMode.Area);
        }

        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var thrown = Record.Exception(() => ImageDecoder.Decode(entries, new ImageLoadOptions { ImageSize = 8 }, InputLimits.Default, FailingSecondResize));

        calls.Should().Be(2, "the two image sizes go through two resizes");
        thrown.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("resize failed");
        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(before, "the result tensor and the chunk's tensors are freed on the error path");
    }

    /// <summary>A 24-bit BMP of <paramref name="width"/> x <paramref name="height"/> mid-grey pixels.</summary>
    private static byte[] Bitmap(int width, int height)
    {
        int row = ((width * 3) + 3) & ~3;
        byte[] bmp = new byte[54 + (row * height)];
        bmp[0] = (byte)'B';
        bmp[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        bmp.AsSpan(54).Fill(128);
        return bmp;
    }
}
