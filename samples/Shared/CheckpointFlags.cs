// Linked into every sample that trains; the global using gives each of them these types without a using line.
global using MetaLearn.Samples;
using System.CommandLine.Parsing;
using System.Runtime.InteropServices;

namespace MetaLearn.Samples;

/// <summary>
/// The checkpoint options that every training sample takes, written once and linked into each sample's project:
/// <c>--checkpoint FILE</c> (saved every <c>--checkpoint-interval</c>, at the end, and on Ctrl+C), and <c>--resume</c>
/// (continue the training in FILE for <c>--iterations</c> more meta-iterations). <see cref="Run"/> turns Ctrl+C
/// (SIGINT) into a cancellation of the training, after which the trainer saves (<see cref="CheckpointOptions.SaveOnCancel"/>)
/// and the sample exits with code 130.
/// </summary>
internal sealed class CheckpointFlags
{
    /// <summary>Exit code after Ctrl+C, as shells report a process ended by SIGINT (128 + 2).</summary>
    public const int InterruptedExitCode = 130;

    private MetaTrainer? _trainer;

    /// <summary>--checkpoint FILE.</summary>
    public Option<FileInfo?> File { get; } = new("--checkpoint")
    {
        Description = "Save the training to this file every --checkpoint-interval, at the end and on Ctrl+C (exit code 130).",
    };

    /// <summary>--checkpoint-interval.</summary>
    public Option<TimeSpan> Interval { get; } = new("--checkpoint-interval")
    {
        Description = "Time between checkpoints: 5s, 500ms, 2m, 1h, hh:mm:ss, or a number of seconds.",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(5),
        CustomParser = ParseInterval,
    };

    /// <summary>--resume.</summary>
    public Option<bool> Resume { get; } = new("--resume")
    {
        Description = "Continue the training saved in --checkpoint for --iterations more meta-iterations (the other options must be those it was started with).",
    };

    /// <summary>Adds the three options to <paramref name="command"/>, and the rule that --resume needs --checkpoint.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(File);
        command.Options.Add(Interval);
        command.Options.Add(Resume);
        command.Validators.Add(result =>
        {
            if (result.GetValue(Resume) && result.GetValue(File) is null)
            {
                result.AddError("--resume needs --checkpoint FILE (the file to continue from).");
            }
        });
    }

    /// <summary>
    /// The checkpoint options of one training, or null without --checkpoint. A sample that trains several models names
    /// each (<paramref name="training"/>): its file is FILE with the name before the extension (run.ckpt -> run.late.ckpt).
    /// </summary>
    public CheckpointOptions? For(ParseResult parse, string? training = null) =>
        PathOf(parse, training) is string path ? new CheckpointOptions(path) { Interval = parse.GetValue(Interval) } : null;

    /// <summary>
    /// Call once the trainer is built: remembers it (for the message after Ctrl+C) and, with --resume, loads the
    /// training's checkpoint into it (when the file exists; a sample with several trainings starts the ones that never
    /// saved from scratch) and says so on standard error.
    /// </summary>
    /// <returns>The meta-iteration training starts from: the checkpoint's, or 0.</returns>
    public int Attach(ParseResult parse, MetaTrainer trainer, string? training = null)
    {
        _trainer = trainer;
        if (!parse.GetValue(Resume) || PathOf(parse, training) is not string path)
        {
            return 0;
        }

        if (!System.IO.File.Exists(path) && training is not null)
        {
            Console.Error.WriteLine($"# {training}: no checkpoint at {path}; training from scratch.");
            return 0;
        }

        trainer.LoadCheckpoint(path);
        Console.Error.WriteLine($"# resumed from {path} at meta-iteration {trainer.Iteration}");
        return trainer.Iteration;
    }

    /// <summary>
    /// Runs <paramref name="work"/> with a session whose <see cref="CheckpointSession.Stop"/> token Ctrl+C (SIGINT)
    /// cancels instead of ending the process. When the
    /// work stops with <see cref="OperationCanceledException"/> after Ctrl+C, says where the checkpoint is and returns
    /// <see cref="InterruptedExitCode"/>. A checkpoint that cannot be resumed (corrupted, written with other options) or a
    /// training that fails (a non-finite loss) prints its message and returns 1.
    /// </summary>
    public int Run(ParseResult parse, Func<CheckpointSession, int> work)
    {
        using var interrupt = new CancellationTokenSource();
        using var signal = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            interrupt.Cancel();
        });
        try
        {
            return work(new CheckpointSession(this, parse, interrupt.Token));
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            string at = _trainer is null ? string.Empty : $" after meta-iteration {_trainer.Iteration}";
            Console.Error.WriteLine(parse.GetValue(File) is not null
                ? $"interrupted{at}: saved in the --checkpoint file; continue with --resume."
                : $"interrupted{at} (no --checkpoint, nothing saved).");
            return InterruptedExitCode;
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or FileNotFoundException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
    }

    private string? PathOf(ParseResult parse, string? training)
    {
        if (parse.GetValue(File) is not { } file)
        {
            return null;
        }

        return training is null ? file.FullName : Path.Combine(file.DirectoryName!, $"{Path.GetFileNameWithoutExtension(file.Name)}.{training}{file.Extension}");
    }

    private static TimeSpan ParseInterval(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value.Trim() : string.Empty;
        (string number, double unit) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1),
            _ when text.EndsWith('m') => (text[..^1], 60),
            _ when text.EndsWith('h') => (text[..^1], 3600),
            _ => (text, 1),
        };
        TimeSpan interval = double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? TimeSpan.FromSeconds(value * unit)
            : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) ? span : TimeSpan.Zero;
        if (interval <= TimeSpan.Zero)
        {
            result.AddError($"--checkpoint-interval must be a positive time such as 5s, 500ms, 2m, 1h or 00:00:30 (got '{text}').");
        }

        return interval;
    }
}

/// <summary>What a sample's training needs from <see cref="CheckpointFlags"/>: the options, resuming, and the Ctrl+C token.</summary>
internal sealed class CheckpointSession(CheckpointFlags flags, ParseResult parse, CancellationToken stop)
{
    /// <summary>Cancelled by Ctrl+C: pass it to <see cref="MetaTrainer.Train"/>.</summary>
    public CancellationToken Stop => stop;

    /// <summary>Whether --resume was given (<see cref="Attach"/> then loads the checkpoint).</summary>
    public bool Resuming => parse.GetValue(flags.Resume);

    /// <summary>The checkpoint options of one training (see <see cref="CheckpointFlags.For"/>), or null without --checkpoint.</summary>
    public CheckpointOptions? Options(string? training = null) => flags.For(parse, training);

    /// <summary>Remembers the trainer and, with --resume, loads its checkpoint (see <see cref="CheckpointFlags.Attach"/>).</summary>
    /// <returns>The meta-iteration training starts from.</returns>
    public int Attach(MetaTrainer trainer, string? training = null) => flags.Attach(parse, trainer, training);
}
