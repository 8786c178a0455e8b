// MetaLearn build logic: lets TorchSharp's native shim load on Linux distributions whose libstdc++
// predates GCC 13 (Debian 12, Ubuntu 22.04).
//
// libLibTorchSharp.so 0.107.0 lists a version requirement on GLIBCXX_3.4.32 for a single symbol,
// std::ios_base_library_init(), which GCC 13's <iostream> references only as a marker and nothing calls.
// glibc's loader treats a requirement whose Vernaux entry carries VER_FLG_WEAK as optional, so a copy of
// the library with that one flag set loads on an older libstdc++. This file finds that entry, checks that
// only allowed marker symbols are bound to it, and sets the flag on a copy in the build output (never the
// NuGet cache). It is compiled twice: as an MSBuild inline task (build/MetaLearn.targets) and, with
// METALEARN_ELF_NO_TASK defined, into the test project.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;

namespace MetaLearn.Build
{
    /// <summary>What <see cref="ElfVersionPatcher.WeakenRequirement"/> did to a file.</summary>
    public enum ElfPatchOutcome
    {
        /// <summary>The requirement was marked weak.</summary>
        Patched,
        /// <summary>The requirement was already weak; the file was left as it was.</summary>
        AlreadyWeak,
        /// <summary>The file does not require that version; nothing to do.</summary>
        NotRequired,
    }

    /// <summary>A minimal reader and patcher of ELF64 little-endian symbol-version sections.</summary>
    public static class ElfVersionPatcher
    {
        private const uint ShtDynSym = 11;
        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const uint ShtGnuVersym = 0x6fffffff;
        private const ushort VerFlgWeak = 0x2;

        /// <summary>Symbols that may be bound to a weakened requirement: markers nothing calls.</summary>
        public static readonly IReadOnlyList<string> MarkerSymbols = new[] { "_ZSt21ios_base_library_initv" };

        /// <summary>Returns the version names that an ELF shared library defines (its .gnu.version_d).</summary>
        public static IReadOnlyList<string> DefinedVersions(byte[] elf)
        {
            var names = new List<string>();
            foreach (var section in Sections(elf))
            {
                if (section.Type != ShtGnuVerdef)
                {
                    continue;
                }

                var strtab = SectionAt(elf, section.Link);
                long offset = (long)section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    uint aux = U32(elf, offset + 12);
                    uint next = U32(elf, offset + 16);
                    names.Add(CString(elf, (long)strtab.Offset + U32(elf, offset + aux)));
                    if (next == 0)
                    {
                        break;
                    }

                    offset += next;
                }
            }

            return names;
        }

        /// <summary>Whether the shared library at <paramref name="path"/> defines <paramref name="version"/>.</summary>
        public static bool DefinesVersion(string path, string version) =>
            DefinedVersions(File.ReadAllBytes(path)).Contains(version);

        /// <summary>
        /// Marks the requirement on <paramref name="version"/> weak in <paramref name="elf"/>, in place.
        /// Throws <see cref="InvalidDataException"/> when the file is not ELF64 little-endian, or when a
        /// symbol other than <see cref="MarkerSymbols"/> is bound to that version (weakening it would then
        /// turn a load-time error into a crash at the first call).
        /// </summary>
        public static ElfPatchOutcome WeakenRequirement(byte[] elf, string version)
        {
            foreach (var section in Sections(elf))
            {
                if (section.Type != ShtGnuVerneed)
                {
                    continue;
                }

                var strtab = SectionAt(elf, section.Link);
                long need = (long)section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    ushort count = U16(elf, need + 2);
                    long aux = need + U32(elf, need + 8);
                    for (int j = 0; j < count; j++)
                    {
                        string name = CString(elf, (long)strtab.Offset + U32(elf, aux + 8));
                        if (name == version)
                        {
                            ushort flags = U16(elf, aux + 4);
                            if ((flags & VerFlgWeak) != 0)
                            {
                                return ElfPatchOutcome.AlreadyWeak;
                            }

                            EnsureOnlyMarkersUse(elf, U16(elf, aux + 6), version);
                            W16(elf, aux + 4, (ushort)(flags | VerFlgWeak));
                            return ElfPatchOutcome.Patched;
                        }

                        aux += U32(elf, aux + 12);
                    }

                    need += U32(elf, need + 12);
                }
            }

            return ElfPatchOutcome.NotRequired;
        }

        /// <summary>
        /// Weakens the requirement in the file at <paramref name="path"/>. The new bytes are written to a
        /// temporary file beside it and moved over it, so a hard link into a package cache is never
        /// modified and a crash leaves either the old or the new file, never half of one.
        /// </summary>
        public static ElfPatchOutcome WeakenRequirementInFile(string path, string version)
        {
            byte[] bytes = File.ReadAllBytes(path);
            var outcome = WeakenRequirement(bytes, version);
            if (outcome == ElfPatchOutcome.Patched)
            {
                // Copy first so the temporary file keeps the original's permissions, then rename over it.
                string temp = path + ".metalearn-tmp";
                File.Copy(path, temp, overwrite: true);
                File.WriteAllBytes(temp, bytes);
                File.Replace(temp, path, destinationBackupFileName: null);
            }

            return outcome;
        }

        private static void EnsureOnlyMarkersUse(byte[] elf, ushort versionIndex, string version)
        {
            Section? dynsym = null;
            Section? versym = null;
            foreach (var section in Sections(elf))
            {
                if (section.Type == ShtDynSym)
                {
                    dynsym = section;
                }
                else if (section.Type == ShtGnuVersym)
                {
                    versym = section;
                }
            }

            if (dynsym is null || versym is null)
            {
                throw new InvalidDataException("The ELF file has version requirements but no .dynsym/.gnu.version section.");
            }

            var strtab = SectionAt(elf, dynsym.Value.Link);
            ulong count = dynsym.Value.Size / 24;
            for (ulong s = 0; s < count; s++)
            {
                ushort index = (ushort)(U16(elf, (long)(versym.Value.Offset + (s * 2))) & 0x7fff);
                if (index != versionIndex)
                {
                    continue;
                }

                string symbol = CString(elf, (long)strtab.Offset + U32(elf, (long)(dynsym.Value.Offset + (s * 24))));
                if (!MarkerSymbols.Contains(symbol))
                {
                    throw new InvalidDataException(
                        $"Symbol '{symbol}' needs {version}; it is not a marker, so the requirement cannot be made optional. " +
                        "Install a libstdc++ that provides it (GCC 13 or newer).");
                }
            }
        }

        private readonly struct Section
        {
            public Section(uint type, ulong offset, ulong size, uint link, uint info)
            {
                Type = type;
                Offset = offset;
                Size = size;
                Link = link;
                Info = info;
            }

            public uint Type { get; }

            public ulong Offset { get; }

            public ulong Size { get; }

            public uint Link { get; }

            public uint Info { get; }
        }

        private static IEnumerable<Section> Sections(byte[] elf)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            {
                throw new InvalidDataException("Not an ELF file.");
            }

            if (elf[4] != 2 || elf[5] != 1)
            {
                throw new InvalidDataException("Only 64-bit little-endian ELF files are supported.");
            }

            ulong shoff = U64(elf, 0x28);
            ushort shentsize = U16(elf, 0x3a);
            ushort shnum = U16(elf, 0x3c);
            for (uint i = 0; i < shnum; i++)
            {
                yield return ReadSection(elf, (long)shoff + (i * shentsize));
            }
        }

        private static Section SectionAt(byte[] elf, uint index)
        {
            ulong shoff = U64(elf, 0x28);
            ushort shentsize = U16(elf, 0x3a);
            return ReadSection(elf, (long)shoff + (index * shentsize));
        }

        private static Section ReadSection(byte[] elf, long at) =>
            new(U32(elf, at + 4), U64(elf, at + 24), U64(elf, at + 32), U32(elf, at + 40), U32(elf, at + 44));

        private static ushort U16(byte[] b, long at) => (ushort)(b[at] | (b[at + 1] << 8));

        private static uint U32(byte[] b, long at) => BitConverter.ToUInt32(b, checked((int)at));

        private static ulong U64(byte[] b, long at) => BitConverter.ToUInt64(b, checked((int)at));

        private static void W16(byte[] b, long at, ushort value)
        {
            b[at] = (byte)value;
            b[at + 1] = (byte)(value >> 8);
        }

        private static string CString(byte[] b, long at)
        {
            long end = at;
            while (b[end] != 0)
            {
                end++;
            }

            return Encoding.ASCII.GetString(b, checked((int)at), checked((int)(end - at)));
        }
    }

#if !METALEARN_ELF_NO_TASK
    /// <summary>MSBuild task: weakens the GLIBCXX requirement of the given native files when the machine needs it.</summary>
    public sealed class MetaLearnWeakenGlibcxx : Microsoft.Build.Utilities.Task
    {
        /// <summary>Native files to inspect (only those named libLibTorchSharp.so are touched).</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        /// <summary>The version to weaken.</summary>
        public string Version { get; set; } = "GLIBCXX_3.4.32";

        /// <summary>auto (patch when this machine's libstdc++ lacks the version), true (always), false (never).</summary>
        public string Mode { get; set; } = "auto";

        /// <inheritdoc />
        public override bool Execute()
        {
            if (string.Equals(Mode, "false", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (string.Equals(Mode, "auto", StringComparison.OrdinalIgnoreCase))
            {
                if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                {
                    return true;
                }

                string? libstdcxx = FindLibStdCxx();
                if (libstdcxx is null)
                {
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "MetaLearn: no libstdc++.so.6 found; native files left as they are.");
                    return true;
                }

                if (ElfVersionPatcher.DefinesVersion(libstdcxx, Version))
                {
                    return true;
                }
            }

            foreach (var item in Files)
            {
                string path = item.GetMetadata("FullPath");
                if (!File.Exists(path) || !string.Equals(Path.GetFileName(path), "libLibTorchSharp.so", StringComparison.Ordinal))
                {
                    continue;
                }

                try
                {
                    var outcome = ElfVersionPatcher.WeakenRequirementInFile(path, Version);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, $"MetaLearn: {path}: {Version} requirement {outcome}.");
                }
                catch (InvalidDataException ex)
                {
                    Log.LogWarning($"MetaLearn: could not make {Version} optional in {path}: {ex.Message}");
                }
            }

            return !Log.HasLoggedErrors;
        }

        private static string? FindLibStdCxx()
        {
            string[] candidates =
            {
                "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/usr/lib64/libstdc++.so.6",
                "/lib64/libstdc++.so.6",
                "/usr/lib/libstdc++.so.6",
                "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            };
            foreach (string candidate in candidates)
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            return null;
        }
    }
#endif
}
