namespace MetaLearn.Tests;

/// <summary>
/// The one writer of checkpoints, learner files and PyTorch weight files: the path holds the old or the new content,
/// never a mix, and no temporary file outlives a write.
/// </summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("atomic-file-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Write_WhileWriting_ThePathStillHoldsTheWholePreviousContent()
    {
        string path = Path.Combine(_directory, "state.bin");
        File.WriteAllBytes(path, new byte[] { 1, 2, 3 });
        byte[]? seenMidWrite = null;

        AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[] { 9, 9 });
            stream.Flush();
            seenMidWrite = File.ReadAllBytes(path);
            stream.Write(new byte[] { 9, 9, 9 });
        });

        seenMidWrite.Should().Equal(new byte[] { 1, 2, 3 }, "the new content is renamed over the path only once it is whole");
        File.ReadAllBytes(path).Should().Equal(9, 9, 9, 9, 9);
        Directory.GetFiles(_directory).Should().Equal(path);
    }

    [Fact]
    public void Write_WriterFailsMidway_KeepsThePreviousFileAndRemovesTheTemporaryFile()
    {
        string path = Path.Combine(_directory, "state.bin");
        File.WriteAllBytes(path, new byte[] { 1, 2, 3 });

        var act = () => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[] { 9, 9 });
            throw new IOException("disk full");
        });

        act.Should().Throw<IOException>().WithMessage("disk full");
        File.ReadAllBytes(path).Should().Equal(1, 2, 3);
        Directory.GetFiles(_directory).Should().Equal(path);
    }

    [Fact]
    public void Write_AfterAKilledWriteLeftItsTemporaryFile_ReplacesItAndLeavesOnlyTheTarget()
    {
        string path = Path.Combine(_directory, "sub", "state.bin");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, new byte[] { 1, 2, 3 });
        File.WriteAllBytes(AtomicFile.TemporaryPath(path), new byte[] { 7, 7, 7, 7, 7, 7, 7, 7 });

        AtomicFile.Write(path, stream => stream.Write(new byte[] { 4, 5 }));

        File.ReadAllBytes(path).Should().Equal(4, 5);
        Directory.GetFiles(Path.GetDirectoryName(path)!).Should().Equal(path);
    }

    [Fact]
    public void Write_SecondWriteToThePathWhileOneIsInProgress_IsRefusedAndTheFirstCompletes()
    {
        string path = Path.Combine(_directory, "state.bin");
        Exception? second = null;

        AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[] { 1 });
            second = Record.Exception(() => AtomicFile.Write(path, s => s.Write(new byte[] { 2 })));
            stream.Write(new byte[] { 1 });
        });

        second.Should().BeAssignableTo<IOException>();
        File.ReadAllBytes(path).Should().Equal(1, 1);
        Directory.GetFiles(_directory).Should().Equal(path);
    }
}
