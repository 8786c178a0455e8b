using System.Buffers.Binary;

namespace MetaLearn.Models;

/// <summary>
/// Checks the pickle of a PyTorch state dict (<c>data.pkl</c>) before TorchSharp.PyBridge hands it to its unpickler
/// (Razorvine.Pickle), which trusts the lengths a pickle declares: it resizes its read buffer to a declared string or
/// bytes length before reading (an 11-byte pickle declaring a 1 GiB string made PyBridge allocate 1,073,764,960 bytes
/// before it found the pickle too short). The scan walks the opcodes without
/// building any object and refuses a pickle that uses an opcode a state dict saved by <c>torch.save</c> (pickle
/// protocols 2 to 5) does not use, declares a length beyond its own end, or has no STOP; it also estimates what the
/// unpickler allocates for it.
/// </summary>
internal static class PickleScan
{
    /// <summary>
    /// What one opcode may make the unpickler allocate at most, besides its argument: one object (an empty dictionary
    /// or list, a tuple of the items it pops, a boxed number), its stack slot and a memo entry.
    /// </summary>
    internal const long BytesPerOpcode = 256;

    /// <summary>
    /// What one tensor (a BINPERSID opcode) may make TorchSharp.PyBridge allocate besides: it opens the tensor's zip
    /// entry as a stream (a decompressor for a compressed entry) and keeps it until the state dict is read.
    /// </summary>
    internal const long BytesPerTensor = 64 * 1024;

    /// <summary>What a scan found: the opcodes up to STOP, the tensors, and the unpickler's estimated allocation.</summary>
    internal readonly record struct Summary(long Opcodes, long Tensors, long EstimatedBytes);

    /// <summary>Scans <paramref name="pickle"/>.</summary>
    /// <param name="pickle">The whole <c>data.pkl</c> entry.</param>
    /// <param name="what">The file, for messages (e.g. <c>'resnet.pt'</c>).</param>
    /// <returns>What the pickle holds.</returns>
    /// <exception cref="InvalidDataException">The pickle is not one a state dict saved by <c>torch.save</c> could be.</exception>
    public static Summary Check(ReadOnlySpan<byte> pickle, string what)
    {
        long opcodes = 0;
        long tensors = 0;
        long estimated = 0;
        int position = 0;
        while (position < pickle.Length)
        {
            int at = position;
            byte opcode = pickle[position++];
            opcodes++;
            estimated += BytesPerOpcode;
            long argument = opcode switch
            {
                (byte)'.' => -1, // STOP
                (byte)'(' or (byte)'0' or (byte)'1' or (byte)'2' or (byte)'N' or (byte)'R' or (byte)'a' or (byte)'b' or
                (byte)'d' or (byte)'}' or (byte)'e' or (byte)'l' or (byte)']' or (byte)'s' or (byte)'t' or (byte)')' or
                (byte)'u' or 0x81 or 0x85 or 0x86 or 0x87 or 0x88 or 0x89 or 0x8f or 0x90 or 0x91 or 0x92 or 0x93 or
                0x94 => 0,
                (byte)'Q' => 0, // BINPERSID: a tensor's storage
                0x80 or (byte)'K' or (byte)'h' or (byte)'q' => 1, // PROTO, BININT1, BINGET, BINPUT
                (byte)'M' => 2, // BININT2
                (byte)'J' or (byte)'j' or (byte)'r' => 4, // BININT, LONG_BINGET, LONG_BINPUT
                (byte)'G' or 0x95 => 8, // BINFLOAT, FRAME
                0x8c or (byte)'C' or (byte)'U' or 0x8a => Prefixed(pickle, ref position, 1, at, what), // SHORT_BINUNICODE, SHORT_BINBYTES, SHORT_BINSTRING, LONG1
                (byte)'X' or (byte)'B' or (byte)'T' or 0x8b => Prefixed(pickle, ref position, 4, at, what), // BINUNICODE, BINBYTES, BINSTRING, LONG4
                0x8d or 0x8e or 0x96 => Prefixed(pickle, ref position, 8, at, what), // BINUNICODE8, BINBYTES8, BYTEARRAY8
                (byte)'c' => Lines(pickle, position, 2, at, what), // GLOBAL: module and name, one line each
                _ => throw Refuse(what, $"uses pickle opcode 0x{opcode:x2} at byte {at} of its data.pkl, which no state dict saved by torch.save uses (protocols 0 and 1, extensions and out-of-band buffers are not read)"),
            };
            if (argument < 0)
            {
                return new Summary(opcodes, tensors, estimated);
            }

            if (argument > pickle.Length - position)
            {
                throw Refuse(what, $"declares {InputBudget.Figure(argument)} bytes for the argument of the pickle opcode at byte {at}, more than the {InputBudget.Figure(pickle.Length - position)} bytes left in its data.pkl");
            }

            if (opcode == (byte)'Q')
            {
                tensors++;
                estimated += BytesPerTensor;
            }

            // A string argument becomes UTF-16 (twice its bytes); the unpickler's read buffer grows to the longest argument.
            estimated += 3 * argument;
            position += (int)argument;
        }

        throw Refuse(what, "has a data.pkl that ends before its STOP opcode");
    }

    /// <summary>Reads a length of <paramref name="size"/> bytes after the opcode; the length counts from after it.</summary>
    private static long Prefixed(ReadOnlySpan<byte> pickle, ref int position, int size, int at, string what)
    {
        if (pickle.Length - position < size)
        {
            throw Refuse(what, $"has a data.pkl that ends inside the length of the pickle opcode at byte {at}");
        }

        var bytes = pickle.Slice(position, size);
        position += size;
        long length = size switch
        {
            1 => bytes[0],
            4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
            _ => BinaryPrimitives.ReadInt64LittleEndian(bytes),
        };
        if (length < 0 || (size == 4 && length > int.MaxValue))
        {
            throw Refuse(what, $"declares a length of {length} for the pickle opcode at byte {at} of its data.pkl, beyond what the unpickler reads");
        }

        return length;
    }

    /// <summary>The bytes of <paramref name="lines"/> newline-terminated lines from <paramref name="start"/>.</summary>
    private static long Lines(ReadOnlySpan<byte> pickle, int start, int lines, int at, string what)
    {
        int end = start;
        for (int i = 0; i < lines; i++)
        {
            int newline = pickle[end..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                throw Refuse(what, $"has a data.pkl that ends inside the text of the pickle opcode at byte {at}");
            }

            end += newline + 1;
        }

        return end - start;
    }

    private static InvalidDataException Refuse(string what, string problem) =>
        new($"{what} {problem}: it is not a state dict saved by torch.save, or it is corrupted or crafted. Nothing was read from it.");
}
