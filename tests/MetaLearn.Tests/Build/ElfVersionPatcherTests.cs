using MetaLearn.Build;

namespace MetaLearn.Tests.Build;

public sealed class ElfVersionPatcherTests
{
    private const string Version = "GLIBCXX_3.4.32";

    private static string PristineShim()
    {
        // The NuGet cache holds the unmodified shim; the test only ever reads it and patches a copy.
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        File.Exists(path).Should().BeTrue($"the TorchSharp package is restored at {path}");
        return path;
    }

    [Fact]
    public void WeakenRequirement_OnTheShim_SetsTheWeakFlagOnExactlyThatEntry()
    {
        byte[] original = File.ReadAllBytes(PristineShim());
        byte[] copy = (byte[])original.Clone();

        var outcome = ElfVersionPatcher.WeakenRequirement(copy, Version);

        outcome.Should().Be(ElfPatchOutcome.Patched);
        var differing = Enumerable.Range(0, original.Length).Where(i => original[i] != copy[i]).ToList();
        differing.Should().ContainSingle("only the low byte of one vna_flags field changes");
        int at = differing[0];
        (copy[at] & 0x2).Should().Be(0x2);
        (copy[at] ^ original[at]).Should().Be(0x2);
    }

    [Fact]
    public void WeakenRequirement_RunTwice_SecondRunChangesNothing()
    {
        byte[] copy = File.ReadAllBytes(PristineShim());
        ElfVersionPatcher.WeakenRequirement(copy, Version).Should().Be(ElfPatchOutcome.Patched);
        byte[] afterFirst = (byte[])copy.Clone();

        ElfVersionPatcher.WeakenRequirement(copy, Version).Should().Be(ElfPatchOutcome.AlreadyWeak);

        copy.Should().Equal(afterFirst);
    }

    [Fact]
    public void WeakenRequirementInFile_OnACopy_LeavesTheSourceAndIsIdempotent()
    {
        string source = PristineShim();
        byte[] before = File.ReadAllBytes(source);
        string dir = Directory.CreateTempSubdirectory("metalearn-elf").FullName;
        try
        {
            string copy = Path.Combine(dir, "libLibTorchSharp.so");
            File.Copy(source, copy);

            ElfVersionPatcher.WeakenRequirementInFile(copy, Version).Should().Be(ElfPatchOutcome.Patched);
            byte[] patched = File.ReadAllBytes(copy);
            ElfVersionPatcher.WeakenRequirementInFile(copy, Version).Should().Be(ElfPatchOutcome.AlreadyWeak);

            File.ReadAllBytes(copy).Should().Equal(patched);
            File.ReadAllBytes(source).Should().Equal(before);
            Directory.GetFiles(dir).Should().ContainSingle("no temporary file is left behind");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void WeakenRequirement_VersionNotRequired_ReportsNotRequired()
    {
        byte[] copy = File.ReadAllBytes(PristineShim());
        byte[] before = (byte[])copy.Clone();

        ElfVersionPatcher.WeakenRequirement(copy, "GLIBCXX_9.9.99").Should().Be(ElfPatchOutcome.NotRequired);

        copy.Should().Equal(before);
    }

    [Fact]
    public void WeakenRequirement_VersionUsedByRealSymbols_Refuses()
    {
        // GLIBCXX_3.4 binds many symbols the shim really calls: weakening it must be refused.
        byte[] copy = File.ReadAllBytes(PristineShim());

        var act = () => ElfVersionPatcher.WeakenRequirement(copy, "GLIBCXX_3.4");

        act.Should().Throw<InvalidDataException>().WithMessage("*is not a marker*");
    }

    [Fact]
    public void WeakenRequirement_NotElf_Throws()
    {
        var act = () => ElfVersionPatcher.WeakenRequirement(new byte[128], Version);

        act.Should().Throw<InvalidDataException>().WithMessage("Not an ELF file.");
    }

    [Fact]
    public void DefinedVersions_OfThisMachinesLibStdCxx_ListsGlibcxxVersions()
    {
        string lib = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }.First(File.Exists);

        var versions = ElfVersionPatcher.DefinedVersions(File.ReadAllBytes(lib));

        versions.Should().Contain("GLIBCXX_3.4").And.Contain("CXXABI_1.3");
    }

    [Fact]
    public void OutputShim_AfterBuild_LoadsOnThisMachine()
    {
        // The build output's copy is patched exactly when this machine's libstdc++ lacks the version.
        string output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        string lib = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }.First(File.Exists);
        bool machineHasIt = ElfVersionPatcher.DefinesVersion(lib, Version);
        byte[] copy = File.ReadAllBytes(output);

        var outcome = ElfVersionPatcher.WeakenRequirement(copy, Version);

        outcome.Should().Be(machineHasIt ? ElfPatchOutcome.Patched : ElfPatchOutcome.AlreadyWeak);
    }
}
