using System.Globalization;
using System.Text;
using MetaLearn.Sampling;

namespace MetaLearn.Tests.Sampling;

public sealed class CsvTaskSamplerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("metalearn-csvsampler-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Sample_ThreeClasses_DrawsEpisodesWhoseRowsComeFromTheFile()
    {
        // Row i has features (i, 10 * class) so every sampled row shows where it came from.
        var text = new StringBuilder("f0,f1,y\n");
        for (int i = 0; i < 30; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i},{10 * (i % 3)},{i % 3}\n");
        }

        string path = Path.Combine(_directory, "data.csv");
        File.WriteAllText(path, text.ToString());
        using var sampler = new CsvTaskSampler(path, new EpisodicSamplerOptions { Ways = 2, Shots = 3, Queries = 2 });

        using var episode = sampler.Sample(5);

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
    public void Constructor_FewerRowsThanShotsPlusQueries_NamesFileColumnAndClass()
    {
        string path = Path.Combine(_directory, "small.csv");
        File.WriteAllText(path, "f0,y\n1,0\n2,0\n3,1\n4,1\n5,1\n");

        var act = () => new CsvTaskSampler(path, new EpisodicSamplerOptions { Ways = 2, Shots = 2, Queries = 1 });

        act.Should().Throw<InvalidDataException>().WithMessage($"{path}: column 2 ('y'): class '0' has 2 row(s) (line(s) 2, 3) but 3 are needed*");
    }

    [Fact]
    public void Dispose_Twice_FreesTheDatasetItReadAndSampleThenThrowsNamingTheType()
    {
        var text = new StringBuilder("f0,y\n");
        for (int i = 0; i < 12; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i},{i % 3}\n");
        }

        string path = Path.Combine(_directory, "owned.csv");
        File.WriteAllText(path, text.ToString());
        long live = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var sampler = new CsvTaskSampler(path, new EpisodicSamplerOptions { Ways = 2, Shots = 1, Queries = 1 });
        sampler.Sample(0).Dispose();

        sampler.Dispose();
        sampler.Dispose();

        TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(live, "the sampler created its data set, so it freed it");
        FluentActions.Invoking(() => sampler.Sample(1))
            .Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be(typeof(CsvTaskSampler).FullName);
    }
}
