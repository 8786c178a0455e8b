using System.Globalization;
using nietras.SeparatedValues;

namespace MetaLearn.Datasets;

/// <summary>
/// A CSV file of numeric features read into memory: a header row, then one example per row, numbers in the invariant
/// culture (<c>1.5</c>, <c>-2e-3</c>), and optionally a label column of any text. Read with <see cref="Read"/>; turn
/// into the library's labelled data type with <see cref="ToDataset"/>.
/// </summary>
public sealed class CsvTable
{
    private float[,] Values { get; init; } = new float[0, 0];

    private int[] Lines { get; init; } = [];

    private int LabelColumnNumber { get; init; }

    /// <summary>The file the table was read from (as given).</summary>
    public string Path { get; private init; } = "";

    /// <summary>The names of the feature columns, in file order (the label column left out).</summary>
    public IReadOnlyList<string> FeatureNames { get; private init; } = [];

    /// <summary>The label column's name, or null when the table has no labels.</summary>
    public string? LabelColumn { get; private init; }

    /// <summary>The number of rows (examples).</summary>
    public int Count => Lines.Length;

    /// <summary>Whether the table has a label column.</summary>
    public bool HasLabels => Labels is not null;

    /// <summary>The label text of every row (trimmed), or null when the table has no labels.</summary>
    public IReadOnlyList<string>? Labels { get; private init; }

    /// <summary>The 1-based line of the file each row was read from.</summary>
    public IReadOnlyList<int> LineNumbers => Lines;

    /// <summary>A copy of the features, rows by feature columns.</summary>
    public float[,] Features => (float[,])Values.Clone();

    /// <summary>Reads a CSV file: a header row, then one row per example.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="options">The label column and separator; null uses <see cref="CsvTableOptions"/>' defaults.</param>
    /// <returns>The table.</returns>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// The file has no header or no rows, the label column is missing (when required), a row has a different number of
    /// fields than the header, a value is missing, or a feature is not a finite number; the message names the file,
    /// the line and the column.
    /// </exception>
    public static CsvTable Read(string path, CsvTableOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new CsvTableOptions();
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No CSV file at '{path}'.", path);
        }

        using var reader = Sep.Reader(o => o with { Sep = new Sep(options.Separator), DisableColCountCheck = true, Unescape = true }).FromFile(path);
        var names = reader.Header.ColNames.Select(n => n.Trim()).ToArray();
        if (reader.Header.IsEmpty || names.Length == 0 || names.All(n => n.Length == 0))
        {
            throw new InvalidDataException($"{path}: line 1: the file has no header row; the first line must name the columns (e.g. f0,f1,y).");
        }

        int labelIndex = LabelIndex(path, names, options);
        int[] featureIndices = Enumerable.Range(0, names.Length).Where(i => i != labelIndex).ToArray();
        if (featureIndices.Length == 0)
        {
            throw new InvalidDataException($"{path}: line 1: the header has no feature column besides the label column '{options.LabelColumn}'.");
        }

        var rows = new List<float[]>();
        var labels = labelIndex >= 0 ? new List<string>() : null;
        var lines = new List<int>();
        foreach (var row in reader)
        {
            int line = row.LineNumberFrom;
            if (row.ColCount == 1 && row.Span.Trim().Length == 0 && names.Length > 1)
            {
                continue; // a blank line
            }

            if (row.ColCount != names.Length)
            {
                throw new InvalidDataException(
                    $"{path}: line {line}: the row has {row.ColCount} field(s) but the header has {names.Length} ({string.Join(",", names)}); every row needs one value per column.");
            }

            var values = new float[featureIndices.Length];
            for (int j = 0; j < featureIndices.Length; j++)
            {
                int c = featureIndices[j];
                var text = row[c].Span.Trim();
                if (text.Length == 0)
                {
                    throw new InvalidDataException($"{path}: line {line}, column {c + 1} ('{names[c]}'): the value is missing; fill it in or drop the row.");
                }

                if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                {
                    throw new InvalidDataException(
                        $"{path}: line {line}, column {c + 1} ('{names[c]}'): '{text.ToString()}' is not a finite number; write numbers in the invariant culture (e.g. 1.5 or -2e-3).");
                }

                values[j] = value;
            }

            if (labels is not null)
            {
                string label = row[labelIndex].Span.Trim().ToString();
                if (label.Length == 0)
                {
                    throw new InvalidDataException($"{path}: line {line}, column {labelIndex + 1} ('{names[labelIndex]}'): the label is missing; every row needs a class.");
                }

                labels.Add(label);
            }

            rows.Add(values);
            lines.Add(line);
        }

        if (rows.Count == 0)
        {
            throw new InvalidDataException($"{path}: the file has a header but no rows.");
        }

        var features = new float[rows.Count, featureIndices.Length];
        for (int i = 0; i < rows.Count; i++)
        {
            for (int j = 0; j < featureIndices.Length; j++)
            {
                features[i, j] = rows[i][j];
            }
        }

        return new CsvTable
        {
            Path = path,
            FeatureNames = featureIndices.Select(i => names[i]).ToArray(),
            LabelColumn = labelIndex >= 0 ? names[labelIndex] : null,
            LabelColumnNumber = labelIndex + 1,
            Values = features,
            Labels = labels?.ToArray(),
            Lines = lines.ToArray(),
        };
    }

    /// <summary>
    /// The distinct labels in class-id order: ascending numerically when every label is an integer (so <c>0,1,2</c> keep
    /// their ids), otherwise ordinal.
    /// </summary>
    /// <exception cref="InvalidOperationException">The table has no labels.</exception>
    public IReadOnlyList<string> ClassNames()
    {
        var labels = Labels ?? throw new InvalidOperationException($"{Path} has no label column; read it with CsvTableOptions.LabelColumn set.");
        var distinct = labels.Distinct(StringComparer.Ordinal).ToArray();
        bool integers = distinct.All(l => long.TryParse(l, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));
        return integers
            ? distinct.OrderBy(l => long.Parse(l, CultureInfo.InvariantCulture)).ToArray()
            : distinct.OrderBy(l => l, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The class id of every row: its label's index in <see cref="ClassNames"/>.</summary>
    /// <exception cref="InvalidOperationException">The table has no labels.</exception>
    public int[] ClassIds()
    {
        var names = ClassNames();
        var index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        return Labels!.Select(l => index[l]).ToArray();
    }

    /// <summary>
    /// Checks that every class has at least <paramref name="perClass"/> rows (for an N-way K-shot sampler, shots plus
    /// queries).
    /// </summary>
    /// <exception cref="InvalidOperationException">The table has no labels.</exception>
    /// <exception cref="InvalidDataException">A class has fewer rows; the message names the file, the label column, the class and its lines.</exception>
    public void RequireRowsPerClass(int perClass)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perClass, 1);
        var names = ClassNames();
        var ids = ClassIds();
        for (int c = 0; c < names.Count; c++)
        {
            int[] rowsOfClass = Enumerable.Range(0, ids.Length).Where(i => ids[i] == c).ToArray();
            if (rowsOfClass.Length < perClass)
            {
                throw new InvalidDataException(
                    $"{Path}: column {LabelColumnNumber} ('{LabelColumn}'): class '{names[c]}' has {rowsOfClass.Length} row(s) (line(s) {string.Join(", ", rowsOfClass.Select(i => Lines[i]))}) " +
                    $"but {perClass} are needed per class; add rows of that class or lower the shots or queries.");
            }
        }
    }

    /// <summary>The table as a <see cref="LabeledDataset"/>: float32 examples [N, F], one class per distinct label (<see cref="ClassNames"/>).</summary>
    /// <param name="minimumPerClass">Rows every class must have (see <see cref="RequireRowsPerClass"/>). Default 1.</param>
    /// <returns>A new data set the caller owns and disposes.</returns>
    /// <exception cref="InvalidOperationException">The table has no labels.</exception>
    /// <exception cref="InvalidDataException">A class has fewer than <paramref name="minimumPerClass"/> rows.</exception>
    public LabeledDataset ToDataset(int minimumPerClass = 1)
    {
        RequireRowsPerClass(minimumPerClass);
        var classes = ClassNames().Select(n => new LabeledClass(n, string.Empty)).ToArray();
        return new LabeledDataset(TorchSharp.torch.tensor(Values), ClassIds(), classes);
    }

    private static int LabelIndex(string path, string[] names, CsvTableOptions options)
    {
        if (options.LabelColumn is null)
        {
            return -1;
        }

        int index = Array.IndexOf(names, options.LabelColumn);
        if (index < 0 && options.LabelRequired)
        {
            throw new InvalidDataException(
                $"{path}: line 1: there is no label column '{options.LabelColumn}'; the header has {string.Join(", ", names.Select(n => $"'{n}'"))}. " +
                "Name the label column with CsvTableOptions.LabelColumn (null when the file has none).");
        }

        return index;
    }
}
