using System.Text;

namespace MetaClassification;

/// <summary>CSV files the sample writes, each written to a temporary file and renamed over the target.</summary>
internal static class CsvFiles
{
    /// <summary>Writes a header and rows atomically.</summary>
    public static void Write(string path, string header, IEnumerable<string> rows)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var writer = new StreamWriter(temporary, false, new UTF8Encoding(false)))
            {
                writer.WriteLine(header);
                foreach (string row in rows)
                {
                    writer.WriteLine(row);
                }
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Writes labelled rows with the header <c>f0..f{n-1},y</c>.</summary>
    public static void WriteLabelled(string path, float[,] features, IReadOnlyList<long> classes) =>
        Write(path, FeatureHeader(features.GetLength(1)) + ",y", Enumerable.Range(0, features.GetLength(0)).Select(i => Row(features, i) + "," + classes[i].ToString(CultureInfo.InvariantCulture)));

    /// <summary>Writes one episode as a task folder: <c>support.csv</c> and <c>query.csv</c>.</summary>
    public static void WriteTask(string directory, Episode episode)
    {
        WriteLabelled(Path.Combine(directory, "support.csv"), ToArray(episode.SupportInputs[0]), episode.SupportTargets.data<long>().ToArray());
        WriteLabelled(Path.Combine(directory, "query.csv"), ToArray(episode.QueryInputs[0]), episode.QueryTargets.data<long>().ToArray());
    }

    public static string FeatureHeader(int features) => string.Join(",", Enumerable.Range(0, features).Select(j => $"f{j}"));

    public static string Row(float[,] features, int i) =>
        string.Join(",", Enumerable.Range(0, features.GetLength(1)).Select(j => features[i, j].ToString("R", CultureInfo.InvariantCulture)));

    public static float[,] ToArray(TorchSharp.torch.Tensor rows)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var flat = rows.to(TorchSharp.torch.ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var result = new float[rows.shape[0], rows.shape[1]];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(float));
        return result;
    }
}
