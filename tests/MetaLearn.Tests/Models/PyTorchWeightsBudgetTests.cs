using System.IO.Compression;
using System.Text;
using MetaLearn.Models;
using static MetaLearn.Tests.Models.PyTorchFixture;

namespace MetaLearn.Tests.Models;

/// <summary>
/// A state dict file is untrusted input: crafted files (made here from the PyTorch fixture, with one part changed) are
/// refused with a message before anything is allocated from the sizes they declare, and the target keeps its values.
/// </summary>
public sealed class PyTorchWeightsBudgetTests : IDisposable
{
    private const long FewMegabytes = 16L << 20;
    private readonly string _directory = Directory.CreateTempSubdirectory("metalearn-pytorch-budget-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Load_SparseFileOf3GB_RefusedAsTooLargeBeforeReading()
    {
        string path = Path.Combine(_directory, "huge.pt");
        using (var stream = new FileStream(path, FileMode.CreateNew))
        {
            stream.SetLength(3L << 30);
        }

        using var module = ConvModule();
        long allocated = GC.GetAllocatedBytesForCurrentThread();

        var act = () => PyTorchWeights.Load(module, path);

        act.Should().Throw<InvalidDataException>()
            .WithMessage($"'{path}' (a PyTorch state dict) is 3,221,225,472 bytes, more than InputLimits.MaxFileBytes allows (1,073,741,824 bytes)*PyTorchWeights.Load*MaxFileBytes = ...*");
        (GC.GetAllocatedBytesForCurrentThread() - allocated).Should().BeLessThan(FewMegabytes, "the 3 GB file is never read");
    }

    [Fact]
    public void Load_PickleDeclaringA1GBString_RefusedBeforeTheUnpicklerAllocatesIt()
    {
        // PROTO 2, then BINUNICODE declaring 1 GiB of which the pickle holds four bytes: Razorvine.Pickle resizes its
        // buffer to the declared length before reading (PyBridge's UnpickleStateDict on this file allocated
        // 1,073,764,960 bytes before failing, measured once by hand).
        byte[] pickle = { 0x80, 0x02, (byte)'X', 0x00, 0x00, 0x00, 0x40, (byte)'a', (byte)'b', (byte)'c', (byte)'.' };
        string path = Craft("long-string.pt", (name, data) => name.EndsWith("data.pkl", StringComparison.Ordinal) ? pickle : data);
        using var module = ConvModule();
        long allocated = GC.GetAllocatedBytesForCurrentThread();

        var act = () => PyTorchWeights.Load(module, path);

        act.Should().Throw<InvalidDataException>()
            .WithMessage($"'{path}' (a PyTorch state dict) declares 1,073,741,824 bytes for the argument of the pickle opcode at byte 2, more than the 4 bytes left in its data.pkl*Nothing was read from it.");
        (GC.GetAllocatedBytesForCurrentThread() - allocated).Should().BeLessThan(FewMegabytes);
    }

    [Fact]
    public void Load_TensorDeclaringAShapeOf10BillionElements_RefusedNamingIt_WithoutAllocatingATensor()
    {
        // '5.weight' is pickled with shape (5, 64) as BININT1 5, BININT1 64, TUPLE2; the crafted one says (100000, 100000).
        byte[] small = { (byte)'K', 5, (byte)'K', 64, 0x86 };
        byte[] huge = { (byte)'J', 0xa0, 0x86, 0x01, 0x00, (byte)'J', 0xa0, 0x86, 0x01, 0x00, 0x86 };
        string path = Craft("huge-shape.pt", (name, data) => name.EndsWith("data.pkl", StringComparison.Ordinal) ? Replace(data, small, huge) : data);
        using var module = ConvModule();
        var before = Snapshot(Named(module));
        long created = Created();
        long allocated = GC.GetAllocatedBytesForCurrentThread();

        var act = () => PyTorchWeights.Load(module, path);

        act.Should().Throw<InvalidDataException>()
            .WithMessage("*does not fit the module: size mismatch for '5.weight': the file has [100000, 100000], the target [5, 64]. Nothing was copied.*");
        Created().Should().Be(created, "no tensor is allocated from a shape the file declares");
        (GC.GetAllocatedBytesForCurrentThread() - allocated).Should().BeLessThan(FewMegabytes);
        ShouldEqual(Named(module), before);
    }

    [Fact]
    public void Load_StorageEntryShorterThanItsTensor_RefusedNamingIt_ModuleUnchanged()
    {
        // data/7 holds '5.weight' (5 x 64 floats, 1,280 bytes); the crafted file keeps 100 of them.
        string path = Craft("short.pt", (name, data) => name.EndsWith("data/7", StringComparison.Ordinal) ? data[..100] : data);
        using var module = ConvModule();
        var before = Snapshot(Named(module));

        var act = () => PyTorchWeights.Load(module, path);

        act.Should().Throw<InvalidDataException>().WithMessage("*stores '5.weight' in entry 'conv_net/data/7' of 100 bytes, but its shape and dtype need 1,280*Nothing was copied.");
        ShouldEqual(Named(module), before);
    }

    [Fact]
    public void Load_PickleWithAProtocol0Opcode_Refused()
    {
        byte[] pickle = Encoding.ASCII.GetBytes("I42\n.");
        string path = Craft("protocol0.pt", (name, data) => name.EndsWith("data.pkl", StringComparison.Ordinal) ? pickle : data);
        using var module = ConvModule();

        var act = () => PyTorchWeights.Load(module, path);

        act.Should().Throw<InvalidDataException>().WithMessage("*uses pickle opcode 0x49 at byte 0 of its data.pkl, which no state dict saved by torch.save uses*");
    }

    [Fact]
    public void Load_PickleCutBeforeItsEnd_Refused()
    {
        string path = Craft("cut.pt", (name, data) => name.EndsWith("data.pkl", StringComparison.Ordinal) ? data[..^1] : data);
        using var module = ConvModule();

        var act = () => PyTorchWeights.Load(module, path);

        act.Should().Throw<InvalidDataException>().WithMessage("*has a data.pkl that ends before its STOP opcode*");
    }

    [Fact]
    public void Load_NotAZipOrAZipWithoutPickle_RefusedSayingWhat()
    {
        string text = Path.Combine(_directory, "weights.txt");
        File.WriteAllText(text, "not a state dict");
        string empty = Craft("no-pickle.pt", (name, data) => name.EndsWith("data.pkl", StringComparison.Ordinal) ? null : data);
        using var module = ConvModule();

        var notZip = () => PyTorchWeights.Load(module, text);
        var noPickle = () => PyTorchWeights.Load(module, empty);

        notZip.Should().Throw<InvalidDataException>().WithMessage("*is not a zip archive*legacy format*torch.save(state_dict, path)*");
        noPickle.Should().Throw<InvalidDataException>().WithMessage("*has no data.pkl entry*");
    }

    [Fact]
    public void Load_UnpicklingEstimateAboveMaxFileBytes_RefusedNamingTheOption_LoadsWithTheDefault()
    {
        long length = new FileInfo(ConvNetFile).Length;
        using var module = ConvModule();

        var act = () => PyTorchWeights.Load(module, ConvNetFile, limits: new InputLimits { MaxFileBytes = length });
        var loaded = PyTorchWeights.Load(module, ConvNetFile, limits: InputLimits.Default);

        // 9 tensors at 64 KiB each already exceed the 4,374-byte file: the file fits, its unpickling estimate does not.
        act.Should().Throw<InvalidDataException>()
            .WithMessage($"*has a pickle of * opcodes and 9 tensors that may take up to * bytes to unpickle, more than InputLimits.MaxFileBytes allows ({length:N0} bytes)*");
        loaded.LoadedKeys.Should().HaveCount(9);
    }

    private static long Created() => DisposeScopeManager.Statistics.CreatedInScopeCount + DisposeScopeManager.Statistics.CreatedOutsideScopeCount;

    private static byte[] Replace(byte[] data, byte[] find, byte[] with)
    {
        int at = data.AsSpan().IndexOf(find);
        at.Should().BeGreaterThanOrEqualTo(0, "the fixture's pickle holds the bytes to replace");
        data.AsSpan(at + 1).IndexOf(find).Should().Be(-1, "the bytes to replace occur once");
        return data[..at].Concat(with).Concat(data[(at + find.Length)..]).ToArray();
    }

    /// <summary>Copies the fixture's conv net file entry by entry, in order, with <paramref name="change"/> applied (null drops an entry).</summary>
    private string Craft(string name, Func<string, byte[], byte[]?> change)
    {
        string path = Path.Combine(_directory, name);
        using var source = ZipFile.OpenRead(ConvNetFile);
        using var target = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var entry in source.Entries)
        {
            using var buffer = new MemoryStream();
            using (var read = entry.Open())
            {
                read.CopyTo(buffer);
            }

            if (change(entry.FullName, buffer.ToArray()) is { } data)
            {
                using var write = target.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
                write.Write(data);
            }
        }

        return path;
    }
}
