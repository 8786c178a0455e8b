using MetaLearn.Datasets;

namespace MetaLearn.Sampling;

/// <summary>
/// N-way K-shot classification episodes drawn from the rows of a labelled CSV file (an <see cref="EpisodicSampler"/>
/// over <see cref="CsvTable.ToDataset"/>). The sampler created the data set it reads from the file, so it owns it:
/// dispose the sampler when done (a second <c>Dispose</c> does nothing; <see cref="Sample"/> throws
/// <see cref="ObjectDisposedException"/> afterwards).
/// </summary>
public sealed class CsvTaskSampler : ITaskSampler, IDisposable
{
    private readonly LabeledDataset _dataset;
    private readonly EpisodicSampler _sampler;
    private bool _disposed;

    /// <summary>Reads <paramref name="path"/> and prepares the sampler.</summary>
    /// <param name="path">A CSV file with a header row and a label column.</param>
    /// <param name="options">Ways, shots and queries.</param>
    /// <param name="csv">How to read the file; null reads label column <c>y</c> with ',' between fields.</param>
    /// <exception cref="InvalidDataException">
    /// The file cannot be read as a table (see <see cref="CsvTable.Read"/>) or a class has fewer than Shots + Queries rows;
    /// the message names the file, the line and the column.
    /// </exception>
    /// <exception cref="ArgumentException">The file has fewer than Ways classes.</exception>
    public CsvTaskSampler(string path, EpisodicSamplerOptions options, CsvTableOptions? csv = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Table = CsvTable.Read(path, (csv ?? new CsvTableOptions()) with { LabelRequired = true });
        if (Table.LabelColumn is null)
        {
            throw new ArgumentException("An episodic sampler needs labels; set CsvTableOptions.LabelColumn.", nameof(csv));
        }

        _dataset = Table.ToDataset((int)Math.Min(int.MaxValue, (long)options.Shots + options.Queries));
        try
        {
            _sampler = new EpisodicSampler(_dataset, options);
        }
        catch
        {
            _dataset.Dispose();
            throw;
        }
    }

    /// <summary>The table that was read (feature names, labels, line numbers).</summary>
    public CsvTable Table { get; }

    /// <summary>The data set the episodes are drawn from; owned by the sampler (do not dispose it).</summary>
    public LabeledDataset Dataset => _dataset;

    /// <inheritdoc />
    public Episode Sample(int seed)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _sampler.Sample(seed);
    }

    /// <summary>Frees the data set. A second call does nothing.</summary>
    public void Dispose()
    {
        _disposed = true;
        _dataset.Dispose();
    }
}
