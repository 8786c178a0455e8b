using System.Text;
using MetaLearn.Algorithms;
using TorchSharp.Modules;

namespace MetaLearn.Training;

/// <summary>
/// The content of a <see cref="MetaTrainer"/> checkpoint (inside <see cref="CheckpointFile"/>'s envelope), in this
/// order: the algorithm's name, the iteration, the best validation score, the episode stream (seed, meta-batch size,
/// sampler, digest), the meta-parameters, the best state if any (meta-parameters, buffers), the model's buffer names and
/// buffers, its generator names and states, and the outer optimizer's state.
/// </summary>
internal static class TrainerCheckpoint
{
    /// <summary>Writes the trainer's state to <paramref name="path"/> (see <see cref="MetaTrainer.SaveCheckpoint"/>).</summary>
    public static void Save(string path, IMetaAlgorithm algorithm, int iteration, BestValidation best, EpisodeStream stream, OptimizerHelper optimizer)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(algorithm.Name);
            writer.Write(iteration);
            writer.Write(best.Score);
            writer.Write(stream.Seed);
            writer.Write(stream.MetaBatchSize);
            writer.Write(stream.Sampler);
            writer.Write(stream.Digest);
            CheckpointTensors.Write(writer, algorithm.MetaParameters);
            writer.Write(best.Parameters is not null);
            if (best.Parameters is not null)
            {
                CheckpointTensors.Write(writer, best.Parameters);
                CheckpointTensors.Write(writer, best.Buffers ?? Array.Empty<Tensor>());
            }

            var model = algorithm.Model;
            CheckpointTensors.WriteNames(writer, model.BufferNames);
            CheckpointTensors.Write(writer, model.Buffers);
            CheckpointTensors.WriteNames(writer, model.GeneratorNames);
            using (var states = new GeneratorStates(model))
            {
                CheckpointTensors.Write(writer, states.Tensors);
            }

            optimizer.save_state_dict(writer);
        }

        CheckpointFile.Write(path, buffer.ToArray());
    }

    /// <summary>
    /// Reads and verifies the checkpoint at <paramref name="path"/>, then restores it into the algorithm, the optimizer
    /// and <paramref name="best"/> (see <see cref="MetaTrainer.LoadCheckpoint"/>); a bad file changes nothing.
    /// </summary>
    /// <returns>The saved iteration and episode stream.</returns>
    public static (int Iteration, EpisodeStream Stream) Load(
        string path, InputLimits limits, IMetaAlgorithm algorithm, OptimizerHelper optimizer, BestValidation best, EpisodeStreamCheck streams)
    {
        byte[] payload = CheckpointFile.ReadPayload(path, limits);
        using var stream = new MemoryStream(payload, writable: false);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            string name = reader.ReadString();
            if (name != algorithm.Name)
            {
                throw new InvalidDataException($"'{path}' was written by a '{name}' trainer; this trainer runs '{algorithm.Name}'.");
            }

            int iteration = reader.ReadInt32();
            double bestScore = reader.ReadDouble();
            var saved = new EpisodeStream(reader.ReadInt32(), reader.ReadInt32(), reader.ReadString(), reader.ReadString());
            streams.CheckSeedAndBatchSize(saved, path);
            var values = CheckpointTensors.ReadChecked(reader, algorithm.MetaParameters, path, "meta-parameter");
            var model = algorithm.Model;
            var savedBest = reader.ReadBoolean()
                ? (CheckpointTensors.ReadChecked(reader, algorithm.MetaParameters, path, "best meta-parameter"), CheckpointTensors.ReadChecked(reader, model.Buffers, path, "best model buffer"))
                : ((TensorRecord[], TensorRecord[])?)null;
            CheckpointTensors.ReadNames(reader, model.BufferNames, path, "model buffer");
            var buffers = CheckpointTensors.ReadChecked(reader, model.Buffers, path, "model buffer");
            CheckpointTensors.ReadNames(reader, model.GeneratorNames, path, "model generator");
            TensorRecord[] generators;
            using (var states = new GeneratorStates(model))
            {
                generators = CheckpointTensors.ReadChecked(reader, states.Tensors, path, "model generator state");
            }

            var (loadedBest, loadedBestBuffers) = Restore(algorithm, optimizer, reader, payload, new[] { values, buffers, generators }, savedBest, path);
            best.Replace(bestScore, loadedBest, loadedBestBuffers);
            return (iteration, saved);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"'{path}' ends early inside its payload; it was not written by this MetaLearn.", ex);
        }
    }

    /// <summary>
    /// Loads the optimizer state and the tensors (all checked by now), and only then changes the algorithm: a failure
    /// puts the optimizer's previous state back and frees what was allocated.
    /// </summary>
    /// <returns>The best state's tensors (the caller owns them), or nulls.</returns>
    private static (Tensor[]? Parameters, Tensor[]? Buffers) Restore(
        IMetaAlgorithm algorithm, OptimizerHelper optimizer, BinaryReader reader, byte[] payload, TensorRecord[][] values,
        (TensorRecord[] Parameters, TensorRecord[] Buffers)? best, string path)
    {
        using var backup = new MemoryStream();
        using (var writer = new BinaryWriter(backup, Encoding.UTF8, leaveOpen: true))
        {
            optimizer.save_state_dict(writer);
        }

        var loaded = new List<Tensor[]>();
        Tensor[]? loadedBest = null;
        Tensor[]? loadedBestBuffers = null;
        try
        {
            try
            {
                OptimizerStateCheck.Check(optimizer, payload, (int)reader.BaseStream.Position, path);
                optimizer.load_state_dict(reader);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidDataException or InvalidCastException or NullReferenceException)
            {
                throw new InvalidDataException($"'{path}': the outer optimizer state does not fit this trainer's {OptimizerStateCheck.Describe(optimizer.GetType().Name)}: {ex.Message}", ex);
            }

            if (reader.BaseStream.Position != reader.BaseStream.Length)
            {
                throw new InvalidDataException($"'{path}' has {reader.BaseStream.Length - reader.BaseStream.Position} bytes after the optimizer state; the outer optimizer differs from the one it was written with.");
            }

            foreach (var records in values)
            {
                loaded.Add(CheckpointTensors.Allocate(payload, records));
            }

            if (best is { } b)
            {
                loadedBest = CheckpointTensors.Allocate(payload, b.Parameters);
                loadedBestBuffers = CheckpointTensors.Allocate(payload, b.Buffers);
            }
        }
        catch
        {
            CheckpointTensors.DisposeAll(loaded.SelectMany(t => t).Concat(loadedBest ?? Array.Empty<Tensor>()));
            backup.Position = 0;
            using var backupReader = new BinaryReader(backup, Encoding.UTF8);
            optimizer.load_state_dict(backupReader);
            throw;
        }

        using (no_grad())
        {
            for (int i = 0; i < loaded[0].Length; i++)
            {
                algorithm.MetaParameters[i].copy_(loaded[0][i]);
            }

            for (int i = 0; i < loaded[1].Length; i++)
            {
                algorithm.Model.Buffers[i].copy_(loaded[1][i]);
            }

            for (int i = 0; i < loaded[2].Length; i++)
            {
                algorithm.Model.Generators[i].set_state(loaded[2][i]);
            }
        }

        CheckpointTensors.DisposeAll(loaded.SelectMany(t => t));
        return (loadedBest, loadedBestBuffers);
    }
}
