namespace MetaLearn.Sampling;

/// <summary>
/// The sinusoid task distribution; the defaults are Finn et al.'s (2017): 10 support and 10 query points per task,
/// amplitude in [0.1, 5], phase in [0, π], x in [−5, 5].
/// </summary>
public sealed record SinusoidTaskOptions() : FewShotTaskOptions(shots: 10, queries: 10)
{
    /// <summary>Smallest amplitude. <value>Default 0.1.</value></summary>
    public double AmplitudeMin { get; init; } = 0.1;

    /// <summary>Largest amplitude. <value>Default 5.</value></summary>
    public double AmplitudeMax { get; init; } = 5.0;

    /// <summary>Smallest phase. <value>Default 0.</value></summary>
    public double PhaseMin { get; init; }

    /// <summary>Largest phase. <value>Default π.</value></summary>
    public double PhaseMax { get; init; } = Math.PI;

    /// <summary>Smallest input. <value>Default −5.</value></summary>
    public double InputMin { get; init; } = -5.0;

    /// <summary>Largest input. <value>Default 5.</value></summary>
    public double InputMax { get; init; } = 5.0;

    /// <summary>Checks that every range is ordered and finite and that one episode's size can be allocated.</summary>
    /// <exception cref="ArgumentException">A range is reversed or not finite (the message names it), or an episode would not fit in memory.</exception>
    public override void Validate()
    {
        ValidateRanges();
        AllocationSize.Episode("sinusoid", 1, Shots, Queries, 1);
    }

    /// <summary>Checks that the amplitude, phase and input ranges are ordered and finite.</summary>
    /// <exception cref="ArgumentException">A range is reversed or not finite; the message names it.</exception>
    internal void ValidateRanges()
    {
        Check(AmplitudeMin, AmplitudeMax, "Amplitude");
        Check(PhaseMin, PhaseMax, "Phase");
        Check(InputMin, InputMax, "Input");
    }

    private static void Check(double min, double max, string name)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min > max)
        {
            throw new ArgumentException($"{name}Min ({min}) must be finite and not above {name}Max ({max}).");
        }
    }
}
