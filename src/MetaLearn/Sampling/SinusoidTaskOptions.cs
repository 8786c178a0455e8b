namespace MetaLearn.Sampling;

/// <summary>The sinusoid task distribution; defaults are Finn et al.'s (2017): amplitude in [0.1, 5], phase in [0, π], x in [-5, 5].</summary>
public sealed record SinusoidTaskOptions
{
    private readonly int _shots = 10;
    private readonly int _queries = 10;

    /// <summary>Support points per task. <value>Default 10.</value></summary>
    public int Shots { get => _shots; init => _shots = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Shots), value, "Need at least one support point."); }

    /// <summary>Query points per task. <value>Default 10.</value></summary>
    public int Queries { get => _queries; init => _queries = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Queries), value, "Need at least one query point."); }

    /// <summary>Smallest amplitude. <value>Default 0.1.</value></summary>
    public double AmplitudeMin { get; init; } = 0.1;

    /// <summary>Largest amplitude. <value>Default 5.0.</value></summary>
    public double AmplitudeMax { get; init; } = 5.0;

    /// <summary>Smallest phase. <value>Default 0.</value></summary>
    public double PhaseMin { get; init; }

    /// <summary>Largest phase. <value>Default π.</value></summary>
    public double PhaseMax { get; init; } = Math.PI;

    /// <summary>Smallest input. <value>Default −5.</value></summary>
    public double InputMin { get; init; } = -5.0;

    /// <summary>Largest input. <value>Default 5.</value></summary>
    public double InputMax { get; init; } = 5.0;

    /// <summary>Checks that every range is ordered and finite.</summary>
    /// <exception cref="ArgumentException">A range is reversed or not finite.</exception>
    public SinusoidTaskOptions Validated()
    {
        Check(AmplitudeMin, AmplitudeMax, "Amplitude");
        Check(PhaseMin, PhaseMax, "Phase");
        Check(InputMin, InputMax, "Input");
        return this;
    }

    private static void Check(double min, double max, string name)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min > max)
        {
            throw new ArgumentException($"{name}Min ({min}) must be finite and not above {name}Max ({max}).");
        }
    }
}
