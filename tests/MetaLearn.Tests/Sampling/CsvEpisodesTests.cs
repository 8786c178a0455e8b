using System.Globalization;
using System.Text;
using MetaLearn.Datasets;
using MetaLearn.Sampling;

namespace MetaLearn.Tests.Sampling;

/// <summary>Episodes from a labelled CSV file, the way a user draws them: <c>CsvTable.Read(path).ToDataset()</c>, then <see cref="TaskSamplers.Episodes"/>.</summary>
public sealed class CsvEpisodesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("metalearn-csvepisodes-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Episodes_ThreeClassCsv_DrawsEpisodesWhoseRowsComeFromTheFile()
    {
        // Row i has features (i, 10 * class) so every sampled row shows where it came from.
        var text = new StringBuilder("f0,f1,y\n");
        for (int i = 0; i < 30; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i},{10 * (i % 3)},{i % 3}\n");
        }

        string path = Path.Combine(_directory, "data.csv");
        File.WriteAllText(path, text.ToString());
        using var data = CsvTable.Read(path).ToDataset();
        var tasks = TaskSamplers.Episodes(data, new EpisodicSamplerOptions { Ways = 2, Shots = 3, Queries = 2 });

        using var episode = tasks.Sample(5);

        episode.SupportInputs[0].shape.Should().Equal(6L, 2L);
        episode.QueryInputs[0].shape.Should().Equal(4L, 2L);
        var rows = episode.SupportInputs[0].data<float>().ToArray();
        var labels = episode.SupportTargets.data<long>().ToArray();
        for (int r = 0; r < 6; r++)
        {
            float index = rows[2 * r];
            float classTimesTen = rows[(2 * r) + 1];
            classTimesTen.Should().Be(10 * (index % 3));
        }

        // Rows of one episode label share a file class.
        rows.Where((_, k) => k % 2 == 1).Take(3).Distinct().Should().HaveCount(1);
        labels.Should().Equal(0, 0, 0, 1, 1, 1);
    }

    [Fact]
    public void Episodes_ClassWithFewerRowsThanShotsPlusQueries_ThrowsNamingTheClassAndWhatToLower()
    {
        string path = Path.Combine(_directory, "small.csv");
        File.WriteAllText(path, "f0,y\n1,0\n2,0\n3,1\n4,1\n5,1\n");
        using var data = CsvTable.Read(path).ToDataset();

        var act = () => TaskSamplers.Episodes(data, new EpisodicSamplerOptions { Ways = 2, Shots = 2, Queries = 1 });

        act.Should().Throw<ArgumentException>()
            .WithMessage("Class '0' (id 0) has 2 example(s) but each episode needs Shots + Queries = 3; lower Shots or Queries*");
    }
}
