namespace MetaLearn.Sampling;

/// <summary>The sinusoid task distribution; the defaults are Finn et al.'s (2017): 10 support and 10 query points per task, amplitude in [0.1, 5], phase in [0, π], x in [−5, 5].</summary>
public sealed record SinusoidTaskOptions() : SineTaskRanges(shots: 10, queries: 10, amplitudeMax: 5.0)
{
    /// <summary>Checks that every range is ordered and finite and that one episode's size can be allocated.</summary>
    /// <exception cref="ArgumentException">A range is reversed or not finite, or an episode would not fit in memory.</exception>
    public override void Validate()
    {
        base.Validate();
        AllocationSize.Episode("sinusoid", 1, Shots, Queries, 1);
    }
}
