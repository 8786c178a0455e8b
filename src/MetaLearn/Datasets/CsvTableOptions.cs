namespace MetaLearn.Datasets;

/// <summary>How <see cref="CsvTable.Read"/> reads a CSV file of numeric features.</summary>
public sealed record CsvTableOptions
{
    /// <summary>
    /// The name of the label column (compared exactly), or null when every column is a feature.
    /// </summary>
    /// <value>Default <c>y</c> (the header <see cref="MakeClassification"/>'s CSV files use).</value>
    public string? LabelColumn { get; init; } = "y";

    /// <summary>
    /// Whether a file without <see cref="LabelColumn"/> is an error; when false such a file reads as unlabelled rows
    /// (for rows to predict, which may or may not carry the label column).
    /// </summary>
    /// <value>Default true.</value>
    public bool LabelRequired { get; init; } = true;

    /// <summary>The field separator. <value>Default ','. Not a quote, a letter, a digit or a line break.</value></summary>
    public char Separator
    {
        get;
        init => field = OptionChecks.Valid(
            value, value is not ('"' or '\r' or '\n' or '.' or '-' or '+') && !char.IsLetterOrDigit(value), nameof(Separator),
            "The separator must not be a quote, a letter, a digit, '.', '+', '-' or a line break (use ',', ';' or a tab).");
    } = ',';
}
