using System.Reflection;
using System.Text;
using MetaLearn.Algorithms;
using MetaLearn.Models;
using MetaLearn.Training;
using TorchSharp.Modules;

namespace MetaLearn.Tests.Training;

/// <summary>
/// A checkpoint is held to <see cref="InputLimits"/> and to the trainer's own shapes before anything is allocated from
/// it: crafted files declare huge sizes (a sparse file, optimizer state of huge shapes) while the test's memory stays small.
/// </summary>
public sealed class CheckpointBudgetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("metalearn-checkpoint-budget").FullName;

    /// <summary>Every optimizer of TorchSharp 0.107 whose state layout the check knows, and MetaLearn's two.</summary>
    public static TheoryData<string> Optimizers() => new(Factories.Keys);

    private static readonly Dictionary<string, Func<IReadOnlyList<Parameter>, torch.optim.Optimizer>> Factories = new()
    {
        ["SafeAdam"] = p => SafeOptimizers.Adam(p, amsgrad: true),
        ["SafeSgd"] = p => SafeOptimizers.Sgd(p, 0.01, momentum: 0.9),
        ["Adam"] = p => torch.optim.Adam(p, amsgrad: true),
        ["AdamW"] = p => torch.optim.AdamW(p, amsgrad: true),
        ["NAdam"] = p => torch.optim.NAdam(p),
        ["RAdam"] = p => torch.optim.RAdam(p),
        ["Adamax"] = p => torch.optim.Adamax(p),
        ["SGD"] = p => torch.optim.SGD(p, 0.01, momentum: 0.9),
        ["ASGD"] = p => torch.optim.ASGD(p),
        ["RMSProp"] = p => torch.optim.RMSProp(p, momentum: 0.9, centered: true),
        ["Adagrad"] = p => torch.optim.Adagrad(p),
        ["Adadelta"] = p => torch.optim.Adadelta(p),
        ["Rprop"] = p => torch.optim.Rprop(p),
    };

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void LoadCheckpoint_SparseFileOf3GB_RefusedBeforeReading()
    {
        string path = Path.Combine(_dir, "huge.ckpt");
        using (var stream = new FileStream(path, FileMode.CreateNew))
        {
            stream.SetLength(3L << 30);
        }

        using var model = TinyModel();
        using var maml = new Maml(model);
        using var trainer = new MetaTrainer(maml);
        long allocated = GC.GetAllocatedBytesForCurrentThread();

        var act = () => trainer.LoadCheckpoint(path);

        act.Should().Throw<InvalidDataException>()
            .WithMessage($"'{path}' (a checkpoint) is 3,221,225,472 bytes, more than InputLimits.MaxFileBytes allows (1,073,741,824 bytes)*trainer.LoadCheckpoint(path, limits)*");
        (GC.GetAllocatedBytesForCurrentThread() - allocated).Should().BeLessThan(16L << 20, "the 3 GB file is never read");
    }

    [Fact]
    public void LoadCheckpoint_MaxFileBytesJustBelowAndAtTheFilesLength_RefusesThenLoads()
    {
        string path = Path.Combine(_dir, "run.ckpt");
        using var model = TinyModel();
        using var maml = new Maml(model);
        using var trainer = new MetaTrainer(maml);
        trainer.SaveCheckpoint(path);
        long length = new FileInfo(path).Length;

        var refused = () => trainer.LoadCheckpoint(path, new InputLimits { MaxFileBytes = length - 1 });
        var loaded = () => trainer.LoadCheckpoint(path, new InputLimits { MaxFileBytes = length });

        refused.Should().Throw<InvalidDataException>().WithMessage($"*is {length:N0} bytes, more than InputLimits.MaxFileBytes allows ({length - 1:N0} bytes)*");
        loaded.Should().NotThrow();
    }

    [Fact]
    public void LoadCheckpoint_SgdMomentumDeclaringAMillionByAMillion_RefusedBeforeTorchSharpAllocatesIt()
    {
        // A fresh SGD holds no momentum buffer, so TorchSharp's reader would allocate one of the file's shape (4 TB).
        string path = Path.Combine(_dir, "sgd.ckpt");
        using var model = TinyModel();
        using var maml = new Maml(model);
        using var trainer = new MetaTrainer(maml, new MetaTrainerOptions { OptimizerFactory = Factories["SafeSgd"] });
        trainer.SaveCheckpoint(path);
        int parameters = maml.MetaParameters.Count;
        ReplaceOptimizerStates(path, "SafeSgd", parameters, () =>
        {
            var states = new MemoryStream();
            using var writer = new BinaryWriter(states);
            writer.Write(true);
            Leb128(writer, (long)torch.ScalarType.Float32);
            Leb128(writer, 2);
            Leb128(writer, 1_000_000);
            Leb128(writer, 1_000_000);
            for (int i = 1; i < parameters; i++)
            {
                writer.Write(false);
            }

            writer.Flush();
            return states.ToArray();
        });
        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        var act = () => trainer.LoadCheckpoint(path);

        // Without the check, TorchSharp's reader asks libtorch for the 4 TB and fails with an ExternalException from its allocator.
        act.Should().Throw<InvalidDataException>().WithMessage(
            $"'{path}': the outer optimizer state does not fit this trainer's SafeOptimizers.Sgd: the momentum_buffer of parameter 0 declares shape [1000000, 1000000] where the parameter's is [{string.Join(", ", maml.MetaParameters[0].shape)}]; nothing was allocated from it*");
        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(live, "nothing is left allocated");
        trainer.Iteration.Should().Be(0);
    }

    [Fact]
    public void LoadCheckpoint_AdamStateDeclaringAHundredMillionDimensions_RefusedBeforeTorchSharpAllocatesTheirArray()
    {
        // TorchSharp's reader makes an array of as many dimensions as the file says (800 MB here) before comparing shapes.
        string path = Path.Combine(_dir, "adam.ckpt");
        using var model = TinyModel();
        using var maml = new Maml(model);
        using var trainer = new MetaTrainer(maml, new MetaTrainerOptions { OptimizerFactory = Factories["SafeAdam"] });
        trainer.SaveCheckpoint(path);
        ReplaceOptimizerStates(path, "SafeAdam", maml.MetaParameters.Count, () =>
        {
            var states = new MemoryStream();
            using var writer = new BinaryWriter(states);
            writer.Write(0L);
            Leb128(writer, (long)torch.ScalarType.Float32);
            Leb128(writer, 100_000_000);
            writer.Flush();
            return states.ToArray();
        });
        long allocated = GC.GetAllocatedBytesForCurrentThread();

        var thrown = Record.Exception(() => trainer.LoadCheckpoint(path));

        (GC.GetAllocatedBytesForCurrentThread() - allocated).Should().BeLessThan(16L << 20, "the 100-million-dimension array is never made");
        thrown.Should().BeOfType<InvalidDataException>().Which.Message.Should().Contain("SafeOptimizers.Adam: the exp_avg of parameter 0 declares 100000000 dimension(s) where the parameter has shape");
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void LoadCheckpoint_EveryStateTensorPresent_LoadsIntoAFreshOptimizerExactly(string name)
    {
        string path = Path.Combine(_dir, $"{name}.ckpt");
        torch.optim.Optimizer? saved = null;
        byte[] expected;
        using (var model = TinyModel())
        using (var maml = new Maml(model))
        using (var trainer = new MetaTrainer(maml, new MetaTrainerOptions { OptimizerFactory = p => saved = Factories[name](p) }))
        {
            FillEveryStateTensor((OptimizerHelper)saved!);
            trainer.SaveCheckpoint(path);
            expected = StateBytes((OptimizerHelper)saved!);
        }

        torch.optim.Optimizer? loaded = null;
        using var freshModel = TinyModel();
        using var freshMaml = new Maml(freshModel);
        using var fresh = new MetaTrainer(freshMaml, new MetaTrainerOptions { OptimizerFactory = p => loaded = Factories[name](p) });

        fresh.LoadCheckpoint(path);

        StateBytes((OptimizerHelper)loaded!).Should().Equal(expected);
    }

    private static Mlp TinyModel() => new(MlpOptions.WithLayers(1, 4, 1) with { Seed = 5 });

    private static byte[] StateBytes(OptimizerHelper optimizer)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            optimizer.save_state_dict(writer);
        }

        return buffer.ToArray();
    }

    /// <summary>Gives every state tensor of every parameter random values, making the optional ones (momentum, AMSGrad's maximum) exist.</summary>
    private static void FillEveryStateTensor(OptimizerHelper optimizer)
    {
        var parameters = optimizer.ParamGroups.Cast<ParamGroup>().SelectMany(g => g.Parameters).ToArray();
        var states = optimizer.state_dict().State;
        using var noGrad = torch.no_grad();
        for (int i = 0; i < parameters.Length; i++)
        {
            foreach (var field in states[i].GetType().GetFields(BindingFlags.Public | BindingFlags.Instance).Where(f => f.FieldType == typeof(torch.Tensor)))
            {
                var random = torch.rand_like(parameters[i]).DetachFromDisposeScope();
                if (field.GetValue(states[i]) is torch.Tensor existing)
                {
                    existing.copy_(random);
                    random.Dispose();
                }
                else
                {
                    field.SetValue(states[i], random);
                }
            }
        }
    }

    /// <summary>
    /// Replaces, in the checkpoint at <paramref name="path"/> written by a trainer whose optimizer holds no optional
    /// state tensor, the per-parameter states of the outer optimizer (the payload's last section) by
    /// <paramref name="craft"/>'s bytes, and writes the file again with a matching checksum.
    /// </summary>
    private static void ReplaceOptimizerStates(string path, string optimizer, int parameters, Func<byte[]> craft)
    {
        byte[] payload = CheckpointFile.ReadPayload(path, InputLimits.Default);
        byte[] name = [(byte)optimizer.Length, .. Encoding.UTF8.GetBytes(optimizer)];
        int start = payload.AsSpan().LastIndexOf(name);
        start.Should().BePositive($"the payload holds the {optimizer} state");

        // The states come last: as many bytes as this optimizer's fresh states write.
        int statesLength = StatesLength(optimizer, parameters);
        byte[] crafted = [.. payload[..^statesLength], .. craft()];
        CheckpointFile.Write(path, crafted);
    }

    /// <summary>The bytes a fresh optimizer's states take: SGD writes one "no momentum" flag per parameter; Adam a step, two tensors and a flag.</summary>
    private static int StatesLength(string optimizer, int parameters)
    {
        using var model = TinyModel();
        using var maml = new Maml(model);
        using var instance = (OptimizerHelper)Factories[optimizer](maml.MetaParameters);
        var states = instance.state_dict().State;
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            foreach (var state in states)
            {
                state.SaveStateDict(writer);
            }
        }

        states.Should().HaveCount(parameters);
        return (int)buffer.Length;
    }

    private static void Leb128(BinaryWriter writer, long value)
    {
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            writer.Write(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
    }
}
