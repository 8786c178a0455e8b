namespace MetaLearn.Sampling;

/// <summary>The sinusoid task distribution; the defaults are Finn et al.'s (2017): 10 support and 10 query points per task, amplitude in [0.1, 5], phase in [0, π], x in [−5, 5].</summary>
public sealed record SinusoidTaskOptions() : SineTaskRanges(shots: 10, queries: 10, amplitudeMax: 5.0);
