using System.Globalization;

namespace MetaLearn.Benchmarks;

/// <summary>One workload's outcome, printed in the line format of WORKLOADS.md.</summary>
/// <param name="Name">The workload's name (with a suffix such as <c>-handwritten</c> for variants).</param>
/// <param name="MillisecondsPerIteration">Median wall time of a meta-iteration, the first excluded.</param>
/// <param name="FinalMetric">The workload's final metric, or NaN when it has none.</param>
internal sealed record ResultLine(string Name, double MillisecondsPerIteration, double FinalMetric)
{
    /// <summary><c>name ms_per_meta_iteration=12.34 final_metric=0.5678</c>, invariant culture, NaN as <c>nan</c> (as Python prints it).</summary>
    public override string ToString()
    {
        string metric = double.IsNaN(FinalMetric) ? "nan" : FinalMetric.ToString("F4", CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture, $"{Name} ms_per_meta_iteration={MillisecondsPerIteration:F2} final_metric={metric}");
    }

    /// <summary>The median of <paramref name="times"/> without the first (warm-up) entry, as the reference computes it.</summary>
    public static double WarmMedian(IReadOnlyList<double> times)
    {
        var warm = times.Count > 1 ? times.Skip(1).ToArray() : times.ToArray();
        return MathNet.Numerics.Statistics.Statistics.Median(warm);
    }
}
