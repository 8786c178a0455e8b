using System.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MetaLearn.Training;

public sealed partial class MetaTrainer
{
    private const string CheckpointMagic = "METALEARN-CHECKPOINT";
    private const int CheckpointVersion = 1;

    /// <summary>
    /// Writes everything needed to resume training exactly: the iteration, the meta-parameters (model parameters and
    /// learned step sizes), the outer optimizer's state and the best validation state. The file is written to a
    /// temporary file beside <paramref name="path"/>, flushed to disk and moved over it, so a crash mid-write never
    /// loses the previous checkpoint.
    /// </summary>
    /// <exception cref="NotSupportedException">The outer optimizer cannot save its state.</exception>
    public void SaveCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var optimizer = _optimizer as OptimizerHelper
            ?? throw new NotSupportedException($"The outer optimizer {_optimizer.GetType().Name} cannot save its state; use a TorchSharp optimizer (Adam, SGD, ...) to checkpoint.");
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(CheckpointMagic);
                writer.Write(CheckpointVersion);
                writer.Write(Algorithm.Name);
                writer.Write(Iteration);
                writer.Write(_bestScore);
                WriteTensors(writer, Algorithm.MetaParameters);
                writer.Write(_best is not null);
                if (_best is not null)
                {
                    WriteTensors(writer, _best);
                }

                optimizer.save_state_dict(writer);
                writer.Write(CheckpointMagic);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>
    /// Restores a checkpoint written by <see cref="SaveCheckpoint"/> into this trainer, whose algorithm must have the
    /// same meta-parameter shapes; the next <see cref="Train"/> call continues exactly where the saved training was.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a MetaLearn checkpoint, is truncated, or does not fit this trainer.</exception>
    public void LoadCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No checkpoint at '{path}'.", path);
        }

        var optimizer = _optimizer as OptimizerHelper
            ?? throw new NotSupportedException($"The outer optimizer {_optimizer.GetType().Name} cannot load a state.");
        // The whole file is checked for its end marker before anything is restored, so a truncated file changes nothing.
        byte[] bytes = File.ReadAllBytes(path);
        byte[] marker = Encoding.UTF8.GetBytes(CheckpointMagic);
        if (bytes.Length < marker.Length || !bytes.AsSpan(bytes.Length - marker.Length).SequenceEqual(marker))
        {
            throw new InvalidDataException($"'{path}' does not end like a MetaLearn checkpoint; it is truncated or another kind of file.");
        }

        using var stream = new MemoryStream(bytes, writable: false);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            if (reader.ReadString() != CheckpointMagic)
            {
                throw new InvalidDataException($"'{path}' is not a MetaLearn checkpoint.");
            }

            int version = reader.ReadInt32();
            if (version != CheckpointVersion)
            {
                throw new InvalidDataException($"'{path}' is a version {version} checkpoint; this MetaLearn reads version {CheckpointVersion}.");
            }

            string algorithm = reader.ReadString();
            if (algorithm != Algorithm.Name)
            {
                throw new InvalidDataException($"'{path}' was written by a '{algorithm}' trainer; this trainer runs '{Algorithm.Name}'.");
            }

            int iteration = reader.ReadInt32();
            double bestScore = reader.ReadDouble();
            var values = ReadTensors(reader, path);
            Tensor[]? best = reader.ReadBoolean() ? ReadTensors(reader, path) : null;
            CheckShapes(values, path);
            if (best is not null)
            {
                CheckShapes(best, path);
            }

            optimizer.load_state_dict(reader);
            if (reader.ReadString() != CheckpointMagic)
            {
                throw new InvalidDataException($"'{path}' does not end like a MetaLearn checkpoint; it may be truncated.");
            }

            using (no_grad())
            {
                for (int i = 0; i < values.Length; i++)
                {
                    Algorithm.MetaParameters[i].copy_(values[i]);
                    values[i].Dispose();
                }
            }

            DisposeBest();
            _best = best;
            _bestScore = bestScore;
            Iteration = iteration;
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"'{path}' ends early; it is truncated or not a MetaLearn checkpoint.", ex);
        }
    }

    private static void WriteTensors(BinaryWriter writer, IReadOnlyList<Tensor> tensors)
    {
        writer.Write(tensors.Count);
        foreach (var t in tensors)
        {
            using var scope = NewDisposeScope();
            var cpu = t.detach().cpu().contiguous();
            writer.Write((int)cpu.dtype);
            writer.Write(cpu.shape.Length);
            foreach (long d in cpu.shape)
            {
                writer.Write(d);
            }

            writer.Write(cpu.bytes.ToArray());
        }
    }

    private Tensor[] ReadTensors(BinaryReader reader, string path)
    {
        int count = reader.ReadInt32();
        if (count != Algorithm.MetaParameters.Count)
        {
            throw new InvalidDataException($"'{path}' holds {count} meta-parameters; this trainer's algorithm has {Algorithm.MetaParameters.Count}.");
        }

        var result = new Tensor[count];
        for (int i = 0; i < count; i++)
        {
            var dtype = (ScalarType)reader.ReadInt32();
            var shape = new long[reader.ReadInt32()];
            for (int d = 0; d < shape.Length; d++)
            {
                shape[d] = reader.ReadInt64();
            }

            var t = empty(shape, dtype).DetachFromDisposeScope();
            int length = checked((int)(t.NumberOfElements * t.ElementSize));
            t.bytes = reader.ReadBytes(length);
            result[i] = t;
        }

        return result;
    }

    private void CheckShapes(Tensor[] values, string path)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!values[i].shape.SequenceEqual(Algorithm.MetaParameters[i].shape))
            {
                throw new InvalidDataException(
                    $"'{path}': meta-parameter {i} has shape [{string.Join(", ", values[i].shape)}] but this trainer's is [{string.Join(", ", Algorithm.MetaParameters[i].shape)}].");
            }
        }
    }
}
