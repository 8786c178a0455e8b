using MetaLearn.Tasks;
using static TorchSharp.torch;

namespace MetaLearn.Tests.Sampling;

/// <summary>The invariants every sampled episode must satisfy, as FluentAssertions checks.</summary>
internal static class EpisodeChecks
{
    public static void HasDeclaredShapes(Episode e, SamplerCase c)
    {
        e.SupportInputs.Should().HaveCount(c.ExampleShapes.Count);
        e.QueryInputs.Should().HaveCount(c.ExampleShapes.Count);
        long support = (long)c.Ways * c.Shots;
        long query = (long)c.Ways * c.Queries;
        for (int m = 0; m < c.ExampleShapes.Count; m++)
        {
            e.SupportInputs[m].shape.Should().Equal(c.ExampleShapes[m].Prepend(support), $"support input {m}");
            e.QueryInputs[m].shape.Should().Equal(c.ExampleShapes[m].Prepend(query), $"query input {m}");
            e.SupportInputs[m].dtype.Should().Be(ScalarType.Float32);
        }

        e.IsClassification.Should().Be(c.Classification);
        if (c.Classification)
        {
            e.SupportTargets.shape.Should().Equal(support);
            e.QueryTargets.shape.Should().Equal(query);
        }
        else
        {
            e.SupportTargets.shape.Should().Equal(support, 1L);
            e.QueryTargets.shape.Should().Equal(query, 1L);
        }
    }

    /// <summary>Labels lie in 0..N-1 and each class has exactly K support and Q query examples.</summary>
    public static void LabelsAreBalanced(Episode e, SamplerCase c)
    {
        if (!c.Classification)
        {
            return;
        }

        long[] support = e.SupportTargets.data<long>().ToArray();
        long[] query = e.QueryTargets.data<long>().ToArray();
        support.Concat(query).Should().OnlyContain(l => l >= 0 && l < c.Ways);
        for (int w = 0; w < c.Ways; w++)
        {
            support.Count(l => l == w).Should().Be(c.Shots, $"class {w} has Shots support examples");
            query.Count(l => l == w).Should().Be(c.Queries, $"class {w} has Queries query examples");
        }
    }

    /// <summary>
    /// No example is in both sets: no support row equals a query row (all modalities together). For data-set samplers,
    /// whose rows start with (example id, class id), the ids are compared and each label must stand for one data-set class.
    /// </summary>
    public static void SidesAreDisjoint(Episode e, SamplerCase c)
    {
        using var scope = NewDisposeScope();
        var supportRows = Rows(e.SupportInputs);
        var queryRows = Rows(e.QueryInputs);
        supportRows.Intersect(queryRows).Should().BeEmpty("an example is in the support or the query set, not both");
        supportRows.Distinct().Should().HaveCount(supportRows.Length, "no example is drawn twice into the support set");
        queryRows.Distinct().Should().HaveCount(queryRows.Length, "no example is drawn twice into the query set");
        if (!c.Indexed)
        {
            return;
        }

        float[] ids = Column(e, 0);
        ids.Distinct().Should().HaveCount(ids.Length, "example ids are unique across support and query");
        float[] classes = Column(e, 1);
        long[] labels = e.SupportTargets.data<long>().ToArray().Concat(e.QueryTargets.data<long>().ToArray()).ToArray();
        var classOfLabel = labels.Zip(classes).GroupBy(p => p.First, p => p.Second).ToArray();
        classOfLabel.Should().OnlyContain(g => g.Distinct().Count() == 1, "every example of a label comes from one data-set class");
        classOfLabel.Select(g => g.First()).Distinct().Should().HaveCount(c.Ways, "different labels are different data-set classes");
    }

    private static float[] Column(Episode e, int column) =>
        e.SupportInput.select(1, column).contiguous().data<float>().ToArray().Concat(e.QueryInput.select(1, column).contiguous().data<float>().ToArray()).ToArray();

    /// <summary>Every tensor of the episode as raw bits (shape first), so NaN (missing modalities) compares equal to itself.</summary>
    public static long[] Bits(Episode e)
    {
        using var scope = NewDisposeScope();
        var bits = new List<long>();
        foreach (var t in e.SupportInputs.Append(e.SupportTargets).Concat(e.QueryInputs).Append(e.QueryTargets))
        {
            bits.AddRange(t.shape);
            bits.Add((long)t.dtype);
            bits.AddRange(t.dtype switch
            {
                ScalarType.Float32 => t.contiguous().data<float>().ToArray().Select(v => (long)BitConverter.SingleToInt32Bits(v)),
                ScalarType.Float64 => t.data<double>().ToArray().Select(BitConverter.DoubleToInt64Bits),
                ScalarType.Int64 => t.data<long>().ToArray(),
                _ => throw new NotSupportedException($"Unexpected episode dtype {t.dtype}."),
            });
        }

        return bits.ToArray();
    }

    /// <summary>Each example's values over all modalities, as a string of float bits.</summary>
    private static string[] Rows(IReadOnlyList<Tensor> inputs)
    {
        long n = inputs[0].shape[0];
        var perModality = inputs.Select(t => (Values: t.contiguous().data<float>().ToArray(), Width: (int)(t.NumberOfElements / Math.Max(1, n)))).ToArray();
        return Enumerable.Range(0, (int)n)
            .Select(i => string.Join(',', perModality.SelectMany(m => m.Values.Skip(i * m.Width).Take(m.Width)).Select(v => BitConverter.SingleToInt32Bits(v))))
            .ToArray();
    }
}
