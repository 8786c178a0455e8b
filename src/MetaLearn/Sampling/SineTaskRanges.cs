namespace MetaLearn.Sampling;

/// <summary>
/// The ranges that sine regression tasks draw from (Finn et al. 2017): amplitude, phase and input, the base of
/// <see cref="SinusoidTaskOptions"/> (and of the multimodal regression tasks' options). Phase defaults to [0, π] and
/// input to [−5, 5]; the smallest amplitude defaults to 0.1 and the largest is the derived options'.
/// </summary>
public abstract record SineTaskRanges : FewShotTaskOptions
{
    /// <summary>Sets the derived options' defaults.</summary>
    /// <param name="shots">Default <see cref="FewShotTaskOptions.Shots"/> (points per task).</param>
    /// <param name="queries">Default <see cref="FewShotTaskOptions.Queries"/> (points per task).</param>
    /// <param name="amplitudeMax">Default <see cref="AmplitudeMax"/>.</param>
    protected SineTaskRanges(int shots, int queries, double amplitudeMax)
        : base(shots, queries)
    {
        AmplitudeMax = amplitudeMax;
    }

    /// <summary>Smallest amplitude (of each term, with several modalities). <value>Default 0.1.</value></summary>
    public double AmplitudeMin { get; init; } = 0.1;

    /// <summary>Largest amplitude (of each term, with several modalities). <value>The derived options' default.</value></summary>
    public double AmplitudeMax { get; init; }

    /// <summary>Smallest phase. <value>Default 0.</value></summary>
    public double PhaseMin { get; init; }

    /// <summary>Largest phase. <value>Default π.</value></summary>
    public double PhaseMax { get; init; } = Math.PI;

    /// <summary>Smallest value of an input variable. <value>Default −5.</value></summary>
    public double InputMin { get; init; } = -5.0;

    /// <summary>Largest value of an input variable. <value>Default 5.</value></summary>
    public double InputMax { get; init; } = 5.0;

    /// <summary>Checks that every range is ordered and finite.</summary>
    /// <exception cref="ArgumentException">A range is reversed or not finite; the message names it.</exception>
    public override void Validate()
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
