using System.Text;
using MetaLearn.Sampling;
using TorchSharp.Modules;

namespace MetaLearn.Training;

public sealed partial class MetaTrainer
{
    /// <summary>The episode stream of the loaded checkpoint, checked against the next <see cref="Train"/> call's sampler.</summary>
    private EpisodeStream? _resumedStream;

    /// <summary>The sampler of the current or last <see cref="Train"/> call (not owned).</summary>
    private ITaskSampler? _sampler;

    /// <summary>The episode stream of <see cref="_sampler"/>, computed when first needed.</summary>
    private EpisodeStream? _stream;

    /// <summary>
    /// Writes everything needed to resume training exactly: the iteration; what decides the episode stream (the seed,
    /// the meta-batch size, the type and options of the last <see cref="Train"/> call's sampler and the SHA-256 of one of
    /// its episodes); the meta-parameters (model parameters and learned step sizes); the best validation state (score, meta-parameters
    /// and model buffers); the
    /// model's buffers (<see cref="IFunctionalModel.Buffers"/>: batch norms' running statistics, a fusion model's branches'
    /// too) and the states of its generators (<see cref="IFunctionalModel.Generators"/>: dropout masks), each list with
    /// its names; the outer optimizer's state; and a SHA-256 over all of it. The file is written to a temporary file beside
    /// <paramref name="path"/>, flushed to disk and renamed over it, so a crash or kill mid-write leaves the previous
    /// checkpoint in place.
    /// </summary>
    /// <exception cref="NotSupportedException">The outer optimizer cannot save its state.</exception>
    public void SaveCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var optimizer = _optimizer as OptimizerHelper
            ?? throw new NotSupportedException($"The outer optimizer {_optimizer.GetType().Name} cannot save its state; use a TorchSharp optimizer (SafeAdam, SafeSgd, ...) to checkpoint.");
        var stream = CurrentStream();
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Algorithm.Name);
            writer.Write(Iteration);
            writer.Write(_bestScore);
            writer.Write(stream.Seed);
            writer.Write(stream.MetaBatchSize);
            writer.Write(stream.Sampler);
            writer.Write(stream.Digest);
            CheckpointTensors.Write(writer, Algorithm.MetaParameters);
            writer.Write(_best is not null);
            if (_best is not null)
            {
                CheckpointTensors.Write(writer, _best);
                CheckpointTensors.Write(writer, _bestBuffers ?? Array.Empty<Tensor>());
            }

            var model = Algorithm.Model;
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
    /// Restores a checkpoint written by <see cref="SaveCheckpoint"/> into this trainer, whose algorithm must have the same
    /// meta-parameter shapes and dtypes and whose options the same <see cref="MetaTrainerOptions.Seed"/> and
    /// <see cref="MetaTrainerOptions.MetaBatchSize"/>; the next <see cref="Train"/> call, given a sampler of the same type,
    /// options and data, continues exactly where the saved training was (another sampler is refused there). The file's
    /// checksum and every tensor's dtype and shape are verified before any tensor is allocated from it or anything is
    /// restored, so a bad file leaves the trainer as it was. The file's length is checked against
    /// <see cref="InputLimits.MaxFileBytes"/> before it is read, and the outer optimizer's state tensors against the
    /// meta-parameters' shapes before TorchSharp allocates any of them.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="limits">How large the file may be; null for <see cref="InputLimits.Default"/>.</param>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is larger than <paramref name="limits"/> allow, is not a version-3 MetaLearn checkpoint (versions 1 and 2
    /// are refused as older formats), is truncated or corrupted, or was written for another algorithm, model (other
    /// parameters, buffers or generators) or optimizer.
    /// </exception>
    /// <exception cref="InvalidOperationException">The checkpoint was written with another seed or meta-batch size.</exception>
    public void LoadCheckpoint(string path, InputLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var optimizer = _optimizer as OptimizerHelper
            ?? throw new NotSupportedException($"The outer optimizer {_optimizer.GetType().Name} cannot load a state.");
        byte[] payload = CheckpointFile.ReadPayload(path, limits ?? InputLimits.Default);
        using var stream = new MemoryStream(payload, writable: false);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            string algorithm = reader.ReadString();
            if (algorithm != Algorithm.Name)
            {
                throw new InvalidDataException($"'{path}' was written by a '{algorithm}' trainer; this trainer runs '{Algorithm.Name}'.");
            }

            int iteration = reader.ReadInt32();
            double bestScore = reader.ReadDouble();
            var saved = new EpisodeStream(reader.ReadInt32(), reader.ReadInt32(), reader.ReadString(), reader.ReadString());
            CheckSeedAndBatchSize(saved, path);
            var values = CheckpointTensors.ReadChecked(reader, Algorithm.MetaParameters, path, "meta-parameter");
            var model = Algorithm.Model;
            var best = reader.ReadBoolean()
                ? (CheckpointTensors.ReadChecked(reader, Algorithm.MetaParameters, path, "best meta-parameter"), CheckpointTensors.ReadChecked(reader, model.Buffers, path, "best model buffer"))
                : ((TensorRecord[], TensorRecord[])?)null;
            CheckpointTensors.ReadNames(reader, model.BufferNames, path, "model buffer");
            var buffers = CheckpointTensors.ReadChecked(reader, model.Buffers, path, "model buffer");
            CheckpointTensors.ReadNames(reader, model.GeneratorNames, path, "model generator");
            TensorRecord[] generators;
            using (var states = new GeneratorStates(model))
            {
                generators = CheckpointTensors.ReadChecked(reader, states.Tensors, path, "model generator state");
            }

            Restore(optimizer, reader, payload, new[] { values, buffers, generators }, best, path);
            _bestScore = bestScore;
            Iteration = iteration;
            _resumedStream = saved;
            _sampler = null;
            _stream = null;
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"'{path}' ends early inside its payload; it was not written by this MetaLearn.", ex);
        }
    }

    /// <summary>
    /// Loads the optimizer state and the tensors (all checked by now), and only then changes the trainer: a failure
    /// puts the optimizer's previous state back and frees what was allocated.
    /// </summary>
    private void Restore(OptimizerHelper optimizer, BinaryReader reader, byte[] payload, TensorRecord[][] values, (TensorRecord[] Parameters, TensorRecord[] Buffers)? best, string path)
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
                throw new InvalidDataException($"'{path}': the outer optimizer state does not fit this trainer's {_optimizer.GetType().Name}: {ex.Message}", ex);
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
                Algorithm.MetaParameters[i].copy_(loaded[0][i]);
            }

            for (int i = 0; i < loaded[1].Length; i++)
            {
                Algorithm.Model.Buffers[i].copy_(loaded[1][i]);
            }

            for (int i = 0; i < loaded[2].Length; i++)
            {
                Algorithm.Model.Generators[i].set_state(loaded[2][i]);
            }
        }

        CheckpointTensors.DisposeAll(loaded.SelectMany(t => t));
        DisposeBest();
        _best = loadedBest;
        _bestBuffers = loadedBestBuffers;
    }

    private void CheckSeedAndBatchSize(EpisodeStream saved, string path)
    {
        var differing = new List<string>();
        if (saved.Seed != Options.Seed)
        {
            differing.Add($"Seed = {saved.Seed} in the checkpoint, {Options.Seed} in this trainer");
        }

        if (saved.MetaBatchSize != Options.MetaBatchSize)
        {
            differing.Add($"MetaBatchSize = {saved.MetaBatchSize} in the checkpoint, {Options.MetaBatchSize} in this trainer");
        }

        if (differing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Cannot resume from '{path}': {string.Join("; ", differing)}. These decide every episode's seed, so the run would not continue " +
                "exactly; build the trainer with the checkpoint's values.");
        }
    }

    /// <summary>
    /// Starts a <see cref="Train"/> call on <paramref name="sampler"/>: after <see cref="LoadCheckpoint"/>, refuses a
    /// sampler whose type, options or episodes differ from the checkpoint's. The stream is computed now when it is
    /// needed (a check, or checkpoints to write), so a sampler disposed after training is never sampled again.
    /// </summary>
    private void BeginStream(ITaskSampler sampler)
    {
        if (!ReferenceEquals(sampler, _sampler))
        {
            _sampler = sampler;
            _stream = null;
        }

        if (_resumedStream is { } resumed)
        {
            var now = CurrentStream();
            if (resumed.SamplerDifference(now) is { } difference)
            {
                throw new InvalidOperationException(
                    $"Cannot continue the loaded checkpoint: {difference}. Resume with the same sampler type, options and data: " +
                    "another sampler draws other episodes, so the run would not continue exactly.");
            }

            _resumedStream = null;
        }
        else if (Options.Checkpoint is not null)
        {
            CurrentStream();
        }
    }

    private EpisodeStream CurrentStream()
    {
        if (_sampler is null)
        {
            return _resumedStream ?? new EpisodeStream(Options.Seed, Options.MetaBatchSize, string.Empty, string.Empty);
        }

        return _stream ??= EpisodeStream.Of(_sampler, Options.Seed, Options.MetaBatchSize, EpisodeSeed(0, 0));
    }
}
