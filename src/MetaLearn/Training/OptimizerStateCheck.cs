using System.Text;
using TorchSharp.Modules;

namespace MetaLearn.Training;

/// <summary>
/// Walks the outer optimizer's state in a checkpoint (the layout TorchSharp's <c>save_state_dict</c> writes) before
/// TorchSharp reads it, and refuses it unless every state tensor has its parameter's dtype and shape. TorchSharp's
/// reader allocates what the file declares: an array of as many dimensions as the file says, and, where the optimizer
/// holds no tensor yet (SGD's momentum before the first step, Adam's AMSGrad maximum, RMSprop's buffers), a tensor of
/// the file's shape. This check allocates nothing from the file.
/// </summary>
/// <remarks>
/// It knows the state layouts of TorchSharp 0.107's optimizers (Adam, AdamW, NAdam, RAdam, Adamax, SGD, ASGD, RMSprop,
/// Adagrad, Adadelta, Rprop) and so of their subclasses (<see cref="SafeAdam"/>, <see cref="SafeSgd"/>, which <see cref="SafeOptimizers"/> creates). An optimizer
/// with a state or options class of its own is not walked: its own code reads its state.
/// </remarks>
internal static class OptimizerStateCheck
{
    /// <summary>
    /// The name a user knows an optimizer type by in messages: <see cref="SafeOptimizers"/>' factory for its internal
    /// classes, the class name otherwise.
    /// </summary>
    internal static string Describe(string typeName) => typeName switch
    {
        nameof(SafeAdam) => "SafeOptimizers.Adam",
        nameof(SafeSgd) => "SafeOptimizers.Sgd",
        _ => typeName,
    };

    private enum Field
    {
        Int64,
        Double,
        Tensor,
        OptionalTensor,
    }

    private static readonly Dictionary<Type, (string Name, Field Field)[]> Layouts = new()
    {
        [typeof(Adam.State)] = [("step", Field.Int64), ("exp_avg", Field.Tensor), ("exp_avg_sq", Field.Tensor), ("max_exp_avg_sq", Field.OptionalTensor)],
        [typeof(AdamW.State)] = [("step", Field.Int64), ("exp_avg", Field.Tensor), ("exp_avg_sq", Field.Tensor), ("max_exp_avg_sq", Field.OptionalTensor)],
        [typeof(NAdam.State)] = [("step", Field.Int64), ("mu_product", Field.Double), ("exp_avg", Field.Tensor), ("exp_avg_sq", Field.Tensor)],
        [typeof(RAdam.State)] = [("step", Field.Int64), ("exp_avg", Field.Tensor), ("exp_avg_sq", Field.Tensor)],
        [typeof(Adamax.State)] = [("step", Field.Int64), ("exp_avg", Field.Tensor), ("exp_inf", Field.Tensor)],
        [typeof(SGD.State)] = [("momentum_buffer", Field.OptionalTensor)],
        [typeof(ASGD.State)] = [("step", Field.Int64), ("eta", Field.Double), ("mu", Field.Double), ("ax", Field.Tensor)],
        [typeof(RMSProp.State)] = [("step", Field.Int64), ("square_avg", Field.Tensor), ("momentum_buffer", Field.OptionalTensor), ("grad_avg", Field.OptionalTensor)],
        [typeof(Adagrad.State)] = [("step", Field.Int64), ("sum", Field.Tensor)],
        [typeof(Adadelta.State)] = [("step", Field.Int64), ("square_avg", Field.Tensor), ("acc_delta", Field.Tensor)],
        [typeof(Rprop.State)] = [("step", Field.Int64), ("prev", Field.Tensor), ("step_size", Field.Tensor)],
    };

    /// <summary>
    /// Checks the optimizer state that starts at <paramref name="position"/> of <paramref name="payload"/> against
    /// <paramref name="optimizer"/>'s parameters; does nothing for an optimizer whose layout is not known.
    /// </summary>
    /// <exception cref="InvalidDataException">A count, dtype, rank or shape differs from this optimizer's, saying which.</exception>
    /// <exception cref="EndOfStreamException">The state ends early.</exception>
    public static void Check(OptimizerHelper optimizer, byte[] payload, int position, string path)
    {
        var live = optimizer.state_dict();
        var optionTypes = live.Options.Select(o => o.GetType()).ToArray();
        if (live.State.Any(s => !Layouts.ContainsKey(s.GetType())) || optionTypes.Any(t => t.Assembly != typeof(OptimizerHelper).Assembly))
        {
            return;
        }

        var parameters = optimizer.ParamGroups.Cast<ParamGroup>().SelectMany(g => g.Parameters).ToArray();
        using var stream = new MemoryStream(payload, position, payload.Length - position, writable: false);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        string name = reader.ReadString();
        if (name != optimizer.GetType().Name)
        {
            throw new InvalidDataException($"it was written by {Describe(name)}");
        }

        long groups = Decode(reader);
        long states = Decode(reader);
        if (groups != live.Options.Count || states != live.State.Count || states != parameters.Length)
        {
            throw new InvalidDataException(
                $"it holds {groups} parameter group(s) and {states} parameter state(s) where this optimizer has {live.Options.Count} and {live.State.Count}");
        }

        // Options hold fixed-size numbers and flags, as many bytes as this optimizer's own options write.
        foreach (var options in live.Options)
        {
            Skip(reader, OptionsLength(options));
        }

        for (int i = 0; i < parameters.Length; i++)
        {
            foreach (var (field, kind) in Layouts[live.State[i].GetType()])
            {
                switch (kind)
                {
                    case Field.Int64:
                        reader.ReadInt64();
                        break;
                    case Field.Double:
                        reader.ReadDouble();
                        break;
                    case Field.OptionalTensor when !reader.ReadBoolean():
                        break;
                    default:
                        CheckTensor(reader, parameters[i], $"the {field} of parameter {i}");
                        break;
                }
            }
        }
    }

    /// <summary>Reads one tensor's header (LEB128 dtype, rank, dimensions), checks it against <paramref name="parameter"/> and skips its bytes.</summary>
    private static void CheckTensor(BinaryReader reader, Parameter parameter, string what)
    {
        long dtype = Decode(reader);
        if (dtype != (long)parameter.dtype)
        {
            throw new InvalidDataException($"{what} is of dtype code {dtype} where the parameter is {parameter.dtype} ({(long)parameter.dtype})");
        }

        long[] expected = parameter.shape;
        long rank = Decode(reader);
        if (rank != expected.Length)
        {
            throw new InvalidDataException($"{what} declares {rank} dimension(s) where the parameter has shape {CheckpointTensors.ShapeText(expected)}; nothing was allocated from it");
        }

        var shape = new long[expected.Length];
        for (int d = 0; d < shape.Length; d++)
        {
            shape[d] = Decode(reader);
        }

        if (!shape.SequenceEqual(expected))
        {
            throw new InvalidDataException($"{what} declares shape {CheckpointTensors.ShapeText(shape)} where the parameter's is {CheckpointTensors.ShapeText(expected)}; nothing was allocated from it");
        }

        Skip(reader, parameter.NumberOfElements * parameter.ElementSize);
    }

    private static long OptionsLength(OptimizerOptions options)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            options.SaveStateDict(writer);
        }

        return buffer.Length;
    }

    private static void Skip(BinaryReader reader, long bytes)
    {
        var stream = reader.BaseStream;
        if (bytes > stream.Length - stream.Position)
        {
            throw new EndOfStreamException();
        }

        stream.Seek(bytes, SeekOrigin.Current);
    }

    /// <summary>An unsigned LEB128 number, decoded exactly as TorchSharp's reader decodes it.</summary>
    private static long Decode(BinaryReader reader)
    {
        long value = 0;
        int shift = 0;
        while (true)
        {
            long b = reader.ReadByte();
            value += (b & 0x7F) << (shift * 7);
            if ((b & 0x80) == 0)
            {
                return value;
            }

            shift++;
        }
    }
}
