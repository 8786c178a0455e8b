using System.Buffers.Binary;
using System.IO.Compression;
using MetaLearn.Datasets;
using StbImageSharp;

namespace MetaLearn.Tests.Datasets;

/// <summary>
/// Image input is held to <see cref="InputLimits"/> before memory is allocated from what it declares: crafted files
/// declare huge sizes while the test's own memory stays small.
/// </summary>
public sealed class ImageBudgetTests
{
    [Fact]
    public void FromImageFolder_PngHeaderDeclaring30000By30000_RefusedBeforeDecoding()
    {
        using var temp = new TempFolder();
        temp.Write("c1/a.png", OmniglotFiles.Drawings("Greek", "character01", 1)[0]);
        string huge = temp.Write("c1/huge.png", PngHeader(30_000, 30_000));
        long allocated = GC.GetAllocatedBytesForCurrentThread();

        var thrown = Record.Exception(() => LabeledDataset.FromImageFolder(temp.Path));

        thrown.Should().BeOfType<ArgumentException>();
        thrown!.Message.Should().Contain($"Image '{huge}' declares 30,000 x 30,000 = 900,000,000 pixels in its header")
            .And.Contain("more than InputLimits.MaxImagePixels allows (33,554,432 pixels)").And.Contain("MaxImagePixels = ...");
        (GC.GetAllocatedBytesForCurrentThread() - allocated).Should().BeLessThan(16L << 20, "the 900-megapixel image is never decoded");
    }

    [Fact]
    public void FromImageFolder_BmpHeaderDeclaring20000By20000InAZip_RefusedBeforeDecoding()
    {
        using var temp = new TempFolder();
        string zip = Path.Combine(temp.Path, "images.zip");
        ZipFiles.Write(zip, ("c1/a.png", OmniglotFiles.Drawings("Greek", "character01", 1)[0]), ("c1/huge.bmp", BmpHeader(20_000, 20_000)));

        var thrown = Record.Exception(() => LabeledDataset.FromImageFolder(zip));

        thrown.Should().BeOfType<ArgumentException>();
        thrown!.Message.Should().Contain($"Image entry 'c1/huge.bmp' of zip '{zip}' declares 20,000 x 20,000 = 400,000,000 pixels")
            .And.Contain("InputLimits.MaxImagePixels");
    }

    [Fact]
    public void Omniglot_MaxImagePixelsJustBelowAndAtADrawingsSize_RefusesThenLoads()
    {
        using var temp = new TempFolder();
        byte[] drawing = OmniglotFiles.Drawings("Greek", "character01", 1)[0];
        temp.Write("Greek/character01/a.png", drawing);
        var info = ImageInfo.FromStream(new MemoryStream(drawing))!.Value;
        long pixels = (long)info.Width * info.Height;

        var refused = Record.Exception(() => LabeledDataset.FromOmniglot(temp.Path, limits: new InputLimits { MaxImagePixels = pixels - 1 }));
        using var loaded = LabeledDataset.FromOmniglot(temp.Path, limits: new InputLimits { MaxImagePixels = pixels });

        refused.Should().BeOfType<ArgumentException>().Which.Message.Should().Contain($"= {pixels:N0} pixels").And.Contain($"({pixels - 1:N0} pixels)");
        loaded.Count.Should().Be(1);
    }

    [Fact]
    public void FromImageFolder_SparseFileOf300MB_RefusedByMaxImageFileBytesBeforeReading()
    {
        using var temp = new TempFolder();
        string big = temp.Write("c1/big.png", PngHeader(10, 10));
        using (var stream = new FileStream(big, FileMode.Open))
        {
            stream.SetLength(300L << 20);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread();

        var thrown = Record.Exception(() => LabeledDataset.FromImageFolder(temp.Path));

        thrown.Should().BeOfType<ArgumentException>();
        thrown!.Message.Should().Contain($"Image '{big}' is 314,572,800 bytes").And.Contain("InputLimits.MaxImageFileBytes allows (268,435,456 bytes)");
        (GC.GetAllocatedBytesForCurrentThread() - allocated).Should().BeLessThan(16L << 20, "the 300 MB file is never read");
    }

    [Fact]
    public void FromImageFolder_ZipEntriesDeclaringMoreThan2GBInAll_RefusedBeforeAnyIsRead()
    {
        using var temp = new TempFolder();
        byte[] drawing = OmniglotFiles.Drawings("Greek", "character01", 1)[0];
        string zip = Path.Combine(temp.Path, "many.zip");
        var names = Enumerable.Range(0, 40).Select(i => $"c1/{i:D2}.png").ToArray();
        ZipFiles.Write(zip, names.Select(n => (n, drawing)).ToArray());
        foreach (string name in names)
        {
            ZipFiles.DeclareUncompressedSize(zip, name, 60_000_000);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread();

        var thrown = Record.Exception(() => LabeledDataset.FromImageFolder(zip));

        thrown.Should().BeOfType<ArgumentException>();
        thrown!.Message.Should().Contain($"Zip '{zip}' declares 2,400,000,000 bytes in its 40 image entries")
            .And.Contain("InputLimits.MaxZipBytes allows (2,147,483,648 bytes)");
        (GC.GetAllocatedBytesForCurrentThread() - allocated).Should().BeLessThan(16L << 20, "no entry is read, and none is read into a buffer of its declared size");
    }

    [Fact]
    public void FromImageFolder_ZipTotalAboveASmallLimit_NamesTheOptionAndLoadsWithinIt()
    {
        using var temp = new TempFolder();
        var drawings = OmniglotFiles.Drawings("Greek", "character01", 3);
        string zip = Path.Combine(temp.Path, "three.zip");
        ZipFiles.Write(zip, drawings.Select((d, i) => ($"c1/{i}.png", d)).ToArray());
        long total = drawings.Sum(d => (long)d.Length);

        var refused = Record.Exception(() => LabeledDataset.FromImageFolder(zip, limits: new InputLimits { MaxZipBytes = total - 1 }));
        using var loaded = LabeledDataset.FromImageFolder(zip, limits: new InputLimits { MaxZipBytes = total });

        refused.Should().BeOfType<ArgumentException>().Which.Message.Should().Contain($"declares {total:N0} bytes in its 3 image entries");
        loaded.Count.Should().Be(3);
    }

    [Fact]
    public void FromImageFolder_ZipEntryHoldingFarMoreThanItDeclares_StopsReadingAtTheDeclaredSize()
    {
        using var temp = new TempFolder();
        string zip = Path.Combine(temp.Path, "bomb.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        using (var stream = archive.CreateEntry("c1/bomb.png", CompressionLevel.SmallestSize).Open())
        {
            // 64 MB of zeros deflate to about 64 KB.
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++)
            {
                stream.Write(zeros);
            }
        }

        ZipFiles.DeclareUncompressedSize(zip, "c1/bomb.png", 1_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread();

        var thrown = Record.Exception(() => LabeledDataset.FromImageFolder(zip));

        // Only the declared 1,000 bytes are read (the zip stream ends there, and ZipBudget.ReadEntry would refuse more),
        // so the entry fails to decode as the zeros it starts with.
        thrown.Should().BeOfType<ArgumentException>().Which.Message.Should().Contain("entry 'c1/bomb.png'").And.Contain("unknown image type");
        (GC.GetAllocatedBytesForCurrentThread() - allocated).Should().BeLessThan(16L << 20, "reading stops at the 1,000 bytes the entry declares");
    }

    [Fact]
    public void ReadEntry_StreamLongerThanDeclared_RefusesAfterOneByteMore()
    {
        var stream = new CountingStream(new MemoryStream(new byte[100_000]));

        var thrown = Record.Exception(() => ZipBudget.ReadEntry(stream, 1_000, "Entry 'x.png' of zip 'a.zip'"));
        byte[] exact = ZipBudget.ReadEntry(new MemoryStream(new byte[1_000]), 1_000, "Entry 'x.png' of zip 'a.zip'");

        thrown.Should().BeOfType<ArgumentException>().Which.Message.Should().Contain("Entry 'x.png' of zip 'a.zip' holds more than the 1,000 bytes it declares");
        stream.BytesRead.Should().Be(1_001);
        exact.Should().HaveCount(1_000);
    }

    /// <summary>
    /// A PNG signature, an IHDR chunk declaring <paramref name="width"/> x <paramref name="height"/> 8-bit grey pixels, an
    /// IDAT chunk of two bytes, and IEND. Its decoder would allocate a buffer of width x height bytes for the pixels
    /// before finding that the data is missing (the decoder itself refuses more than 2^30 bytes).
    /// </summary>
    internal static byte[] PngHeader(int width, int height)
    {
        var png = new List<byte> { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", [0x78, 0x9C]);
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(List<byte> png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.AddRange(length);
        png.AddRange(System.Text.Encoding.ASCII.GetBytes(type));
        png.AddRange(data);
        png.AddRange(new byte[4]);
    }

    /// <summary>A 24-bit BMP header declaring <paramref name="width"/> x <paramref name="height"/> pixels, followed by one row.</summary>
    private static byte[] BmpHeader(int width, int height)
    {
        byte[] bmp = new byte[54 + 64];
        bmp[0] = (byte)'B';
        bmp[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        return bmp;
    }

    /// <summary>Counts the bytes read through it.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = inner.Read(buffer, offset, count);
            BytesRead += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
