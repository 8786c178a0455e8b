using System.Globalization;
using System.Text.RegularExpressions;

namespace MetaLearn.Datasets;

/// <summary>
/// Lake et al.'s one-shot classification runs as episodes: each <c>runNN</c> folder holds <c>training/classMM.png</c>
/// (one drawing of each of 20 characters), <c>test/itemKK.png</c> (a new drawing of each) and <c>class_labels.txt</c>,
/// whose lines <c>runNN/test/itemKK.png runNN/training/classMM.png</c> name the class of every test item.
/// </summary>
/// <remarks>
/// Run <c>r</c> becomes an episode whose support is the training images in file-name order, labelled 0..W-1
/// (<c>class01</c> is 0), and whose query is the test images in the order of <c>class_labels.txt</c>, each labelled
/// with its answer class; <see cref="EpisodeInfo"/> is <c>(W, 1, 1, r)</c>. Images are preprocessed exactly as by
/// <see cref="LabeledDataset.FromOmniglot"/>. This object owns the episodes: <see cref="Dispose"/> frees them.
/// </remarks>
public sealed partial class OneShotRuns : IDisposable
{
    private const string LabelsFile = "class_labels.txt";

    private OneShotRuns(IReadOnlyList<string> names, IReadOnlyList<Episode> episodes, IReadOnlyList<int[]> answers)
    {
        RunNames = names;
        Episodes = episodes;
        Answers = answers;
    }

    /// <summary>The run folder names (<c>run01</c>, ...), in run order.</summary>
    public IReadOnlyList<string> RunNames { get; }

    /// <summary>One episode per run; owned by this object.</summary>
    public IReadOnlyList<Episode> Episodes { get; }

    /// <summary>Per run, the true label of each query (test) item, as plain integers.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Answers { get; }

    /// <summary>Loads every <c>runNN</c> folder under <paramref name="folder"/>, ordered by run number.</summary>
    /// <param name="folder">The folder holding <c>run01</c> .. <c>run20</c>.</param>
    /// <param name="options">Image preprocessing, as for <see cref="LabeledDataset.FromOmniglot"/>; <see cref="ImageLoadOptions.Omniglot"/> when null.</param>
    /// <param name="limits">How large the image files and images may be (checked before they are read or decoded); null for <see cref="InputLimits.Default"/>.</param>
    /// <returns>The runs; the caller owns them and must dispose them.</returns>
    /// <exception cref="ArgumentException">
    /// The folder or a run is missing, <c>class_labels.txt</c> has a malformed line or names a missing or foreign
    /// file (the message gives file and line), an image cannot be decoded, or a file or an image is larger than
    /// <paramref name="limits"/> allow.
    /// </exception>
    public static OneShotRuns Load(string folder, ImageLoadOptions? options = null, InputLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
        {
            throw new ArgumentException($"The runs folder '{folder}' does not exist.", nameof(folder));
        }

        var runs = Directory.EnumerateDirectories(folder)
            .Select(d => (Path: d, Match: RunName().Match(System.IO.Path.GetFileName(d))))
            .Where(r => r.Match.Success)
            .Select(r => (r.Path, Number: int.Parse(r.Match.Groups[1].Value, CultureInfo.InvariantCulture)))
            .OrderBy(r => r.Number)
            .Select(r => ParseRun(folder, r.Path, r.Number))
            .ToArray();
        if (runs.Length == 0)
        {
            throw new ArgumentException($"'{folder}' holds no run folders (run01, run02, ...).", nameof(folder));
        }

        var entries = runs.SelectMany(r => r.Training.Concat(r.Test)).Select(ToEntry).ToArray();
        using var scope = NewDisposeScope();
        var images = ImageDecoder.Decode(entries, options ?? ImageLoadOptions.Omniglot, limits ?? InputLimits.Default);
        var episodes = new List<Episode>();
        long offset = 0;
        foreach (var run in runs)
        {
            int ways = run.Training.Count;
            var support = images.narrow(0, offset, ways);
            var query = images.narrow(0, offset + ways, run.Test.Count);
            offset += ways + run.Test.Count;
            episodes.Add(new Episode(
                support.clone(),
                ScalarMath.ClassLabels(ways, 1),
                query.clone(),
                tensor(run.Answers.Select(a => (long)a).ToArray()),
                new EpisodeInfo(ways, 1, 1, run.Number, TaskKind.Classification)));
        }

        return new OneShotRuns(
            runs.Select(r => System.IO.Path.GetFileName(r.Folder)).ToArray(),
            episodes,
            runs.Select(r => r.Answers).ToArray());
    }

    /// <summary>
    /// Scores per-run predicted labels against <see cref="Answers"/>: the error rate of each run (the share of its test
    /// items whose predicted class is not the one <c>class_labels.txt</c> names), in [0, 1], in run order. The benchmark's
    /// published figure is their mean.
    /// </summary>
    /// <param name="predictions">Per run, the predicted label of each test item, in the order of <see cref="Answers"/>.</param>
    /// <exception cref="ArgumentException">The predictions do not have one label per test item of every run.</exception>
    public IReadOnlyList<double> ErrorRates(IReadOnlyList<IReadOnlyList<int>> predictions) => ErrorRates(Answers, predictions);

    /// <summary>Scores predicted labels against answers, run by run; independent of how the predictions were made.</summary>
    /// <param name="answers">Per run, the true label of each test item.</param>
    /// <param name="predictions">Per run, the predicted label of each test item, in the same order.</param>
    /// <exception cref="ArgumentException">There are no runs, or the number of runs or of items in a run disagrees.</exception>
    internal static double[] ErrorRates(IReadOnlyList<IReadOnlyList<int>> answers, IReadOnlyList<IReadOnlyList<int>> predictions)
    {
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentNullException.ThrowIfNull(predictions);
        if (answers.Count == 0 || predictions.Count != answers.Count)
        {
            throw new ArgumentException(
                $"Give one prediction list per run: there are {answers.Count} run(s) and {predictions.Count} prediction list(s).",
                nameof(predictions));
        }

        var rates = new double[answers.Count];
        for (int run = 0; run < answers.Count; run++)
        {
            var truth = answers[run];
            var predicted = predictions[run] ?? throw new ArgumentException($"The predictions of run {run} are null.", nameof(predictions));
            if (predicted.Count != truth.Count || truth.Count == 0)
            {
                throw new ArgumentException(
                    $"Run {run} has {truth.Count} test item(s) but {predicted.Count} prediction(s); give one per item.",
                    nameof(predictions));
            }

            rates[run] = Enumerable.Range(0, truth.Count).Count(i => predicted[i] != truth[i]) / (double)truth.Count;
        }

        return rates;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var episode in Episodes)
        {
            episode.Dispose();
        }
    }

    private static ImageEntry ToEntry(string file) =>
        ImageEntry.OfFile([System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(file)!)], System.IO.Path.GetFileName(file), file);

    [GeneratedRegex(@"^run(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex RunName();
}
