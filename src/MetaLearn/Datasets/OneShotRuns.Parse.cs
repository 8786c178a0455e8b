namespace MetaLearn.Datasets;

public sealed partial class OneShotRuns
{
    private static ParsedRun ParseRun(string root, string runFolder, int number)
    {
        string labelsPath = Path.Combine(runFolder, LabelsFile);
        if (!File.Exists(labelsPath))
        {
            throw new ArgumentException($"Run folder '{runFolder}' has no {LabelsFile}.", nameof(root));
        }

        string trainingFolder = Path.Combine(runFolder, "training");
        string[] training = Directory.Exists(trainingFolder)
            ? Directory.EnumerateFiles(trainingFolder, "*.png").Select(Path.GetFullPath).Order(StringComparer.Ordinal).ToArray()
            : [];
        if (training.Length == 0)
        {
            throw new ArgumentException($"Run folder '{runFolder}' has no training/*.png images.", nameof(root));
        }

        var test = new List<string>();
        var answers = new List<int>();
        string[] lines = File.ReadAllLines(labelsPath);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            string[] parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
            {
                throw new ArgumentException(
                    $"{labelsPath} line {i + 1}: expected two paths 'runNN/test/itemKK.png runNN/training/classMM.png', got '{line}'.",
                    nameof(root));
            }

            string item = Resolve(root, parts[0], labelsPath, i + 1);
            string answer = Resolve(root, parts[1], labelsPath, i + 1);
            int label = Array.IndexOf(training, answer);
            if (label < 0)
            {
                throw new ArgumentException(
                    $"{labelsPath} line {i + 1}: '{parts[1]}' is not one of this run's training images (training/*.png).",
                    nameof(root));
            }

            test.Add(item);
            answers.Add(label);
        }

        if (test.Count != training.Length)
        {
            throw new ArgumentException(
                $"{labelsPath} names {test.Count} test item(s) but the run has {training.Length} training image(s); a run has one test item per class.",
                nameof(root));
        }

        return new ParsedRun(runFolder, number, training, test, answers.ToArray());
    }

    private static string Resolve(string root, string relative, string labelsPath, int line)
    {
        string full = Path.GetFullPath(Path.Combine(root, relative.Replace('\\', '/')));
        if (!File.Exists(full))
        {
            throw new ArgumentException($"{labelsPath} line {line}: the file '{relative}' does not exist (looked for '{full}').", nameof(root));
        }

        return full;
    }

    private sealed record ParsedRun(string Folder, int Number, IReadOnlyList<string> Training, IReadOnlyList<string> Test, int[] Answers);
}
