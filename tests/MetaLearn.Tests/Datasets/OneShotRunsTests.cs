using MetaLearn.Datasets;
using MetaLearn.Tasks;

namespace MetaLearn.Tests.Datasets;

public sealed class OneShotRunsTests
{
    private const int Ways = 4;

    // Test item k (0-based) of each run is a new drawing of training class Answer[k].
    private static readonly int[] AnswerOfItem = [2, 0, 3, 1];

    [Fact]
    public void Load_FakeRuns_SupportIsTrainingInOrderAndQueryCarriesTheNamedClass()
    {
        using var temp = new TempFolder();
        WriteRun(temp, 1);
        WriteRun(temp, 2);
        // The same drawings under the Omniglot layout: reference images preprocessed by LabeledDataset.FromOmniglot.
        var characters = Characters();
        for (int c = 0; c < Ways; c++)
        {
            temp.Write($"reference/Greek/{characters.Names[c]}/0.png", characters.Drawings[c][0]);
            temp.Write($"reference/Greek/{characters.Names[c]}/1.png", characters.Drawings[c][1]);
        }

        using var runs = OneShotRuns.Load(Path.Combine(temp.Path, "runs"));
        using var reference = LabeledDataset.FromOmniglot(Path.Combine(temp.Path, "reference"));

        runs.RunNames.Should().Equal("run01", "run02");
        runs.Answers.Should().HaveCount(2);
        runs.Answers[0].Should().Equal(AnswerOfItem);
        var episode = runs.Episodes[1];
        episode.Info.Should().Be(new EpisodeInfo(Ways, 1, 1, 2));
        episode.SupportTargets.data<long>().ToArray().Should().Equal(0, 1, 2, 3);
        episode.QueryTargets.data<long>().ToArray().Should().Equal(2, 0, 3, 1);
        episode.SupportInput.shape.Should().Equal(Ways, 1L, 28L, 28L);
        for (int c = 0; c < Ways; c++)
        {
            // Reference example 2c is drawing 0 of character c (training), 2c + 1 is drawing 1 (test).
            episode.SupportInput[c].allclose(reference.Examples[2 * c], rtol: 0, atol: 0).Should().BeTrue();
        }

        for (int k = 0; k < Ways; k++)
        {
            episode.QueryInput[k].allclose(reference.Examples[(2 * AnswerOfItem[k]) + 1], rtol: 0, atol: 0).Should().BeTrue();
        }
    }

    [Fact]
    public void ErrorRates_PredictionsAgainstLoadedAnswers_GivesEachRunsErrorRate()
    {
        using var temp = new TempFolder();
        WriteRun(temp, 1);
        WriteRun(temp, 2);
        using var runs = OneShotRuns.Load(Path.Combine(temp.Path, "runs"));

        // Run 1: items 1 and 3 wrong (2 of 4); run 2: all right.
        var rates = runs.ErrorRates([[2, 3, 3, 0], AnswerOfItem]);

        rates.Should().Equal(0.5, 0.0);
    }

    [Fact]
    public void Load_MalformedLine_ThrowsNamingFileAndLine()
    {
        using var temp = new TempFolder();
        WriteRun(temp, 1);
        string labels = Path.Combine(temp.Path, "runs", "run01", "class_labels.txt");
        var lines = File.ReadAllLines(labels);
        lines[2] = "run01/test/item03.png";
        File.WriteAllLines(labels, lines);

        var act = () => OneShotRuns.Load(Path.Combine(temp.Path, "runs"));

        act.Should().Throw<ArgumentException>().WithMessage("*class_labels.txt line 3*expected two paths*");
    }

    [Fact]
    public void Load_LineNamesMissingFile_ThrowsNamingTheFile()
    {
        using var temp = new TempFolder();
        WriteRun(temp, 1);
        File.Delete(Path.Combine(temp.Path, "runs", "run01", "test", "item02.png"));

        var act = () => OneShotRuns.Load(Path.Combine(temp.Path, "runs"));

        act.Should().Throw<ArgumentException>().WithMessage("*line 2*'run01/test/item02.png' does not exist*");
    }

    [Fact]
    public void Load_RunWithoutClassLabels_ThrowsNamingTheRun()
    {
        using var temp = new TempFolder();
        WriteRun(temp, 1);
        File.Delete(Path.Combine(temp.Path, "runs", "run01", "class_labels.txt"));

        var act = () => OneShotRuns.Load(Path.Combine(temp.Path, "runs"));

        act.Should().Throw<ArgumentException>().WithMessage("*run01*has no class_labels.txt*");
    }

    [Fact]
    public void Load_FolderWithoutRuns_ThrowsArgumentException()
    {
        using var temp = new TempFolder();

        var act = () => OneShotRuns.Load(temp.Path);

        act.Should().Throw<ArgumentException>().WithMessage("*no run folders*");
    }

    [Fact]
    public void ErrorRates_MismatchedCounts_ThrowsArgumentException()
    {
        var runCount = () => OneShotRuns.ErrorRates([[0, 1]], [[0, 1], [1, 0]]);
        var itemCount = () => OneShotRuns.ErrorRates([[0, 1]], [[0]]);

        runCount.Should().Throw<ArgumentException>().WithMessage("*1 run(s) and 2 prediction list(s)*");
        itemCount.Should().Throw<ArgumentException>().WithMessage("*2 test item(s) but 1 prediction(s)*");
    }

    [Fact]
    public void ErrorRates_IntArraysPerRun_ScoresEachRun()
    {
        int[][] answers = [[0, 1, 2], [0, 1, 2], [1, 0, 2]];
        int[][] predicted = [[0, 1, 2], [2, 1, 2], [0, 1, 0]];

        var rates = OneShotRuns.ErrorRates(answers, predicted);

        rates.Should().Equal(0.0, 1.0 / 3, 1.0);
    }

    private static (string[] Names, byte[][][] Drawings) Characters()
    {
        string[] names = Enumerable.Range(1, Ways).Select(c => $"character{c:00}").ToArray();
        return (names, names.Select(n => OmniglotFiles.Drawings("Greek", n, 2)).ToArray());
    }

    /// <summary>Writes runs/runNN in the official layout from real Greek drawings of the vendored small1 zip.</summary>
    private static void WriteRun(TempFolder temp, int number)
    {
        string run = $"run{number:00}";
        var (_, drawings) = Characters();
        var lines = new List<string>();
        for (int c = 0; c < Ways; c++)
        {
            temp.Write($"runs/{run}/training/class{c + 1:00}.png", drawings[c][0]);
        }

        for (int k = 0; k < Ways; k++)
        {
            temp.Write($"runs/{run}/test/item{k + 1:00}.png", drawings[AnswerOfItem[k]][1]);
            lines.Add($"{run}/test/item{k + 1:00}.png {run}/training/class{AnswerOfItem[k] + 1:00}.png");
        }

        File.WriteAllLines(Path.Combine(temp.Path, "runs", run, "class_labels.txt"), lines);
    }
}
