namespace MetaLearn.Sampling;

/// <summary>Options of <see cref="MultimodalRegressionTaskSampler"/>; the ranges follow the sinusoid tasks of Finn et al.</summary>
public sealed record MultimodalRegressionTaskOptions
{
    private readonly int _shots = 10;
    private readonly int _queries = 10;
    private readonly IReadOnlyList<ModalityOptions> _modalities = new[]
    {
        new ModalityOptions { Features = 4, NoiseStd = 0.05 },
        new ModalityOptions { Features = 4, NoiseStd = 0.05 },
    };

    /// <summary>Support examples per task. <value>Default 10. At least 1.</value></summary>
    public int Shots { get => _shots; init => _shots = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Shots), value, "Need at least one support example."); }

    /// <summary>Query examples per task. <value>Default 10. At least 1.</value></summary>
    public int Queries { get => _queries; init => _queries = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Queries), value, "Need at least one query example."); }

    /// <summary>The modalities, in input order. <value>Default two informative modalities of 4 features with noise 0.05.</value></summary>
    public IReadOnlyList<ModalityOptions> Modalities
    {
        get => _modalities;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Count < 1 || value.Any(m => m is null) || value.All(m => m.Kind != ModalityKind.Informative))
            {
                throw new ArgumentOutOfRangeException(nameof(Modalities), value.Count, "Give at least one modality, and make at least one of them informative (ModalityOptions.Informative).");
            }

            _modalities = value.ToArray();
        }
    }

    /// <summary>Smallest amplitude of each informative modality's term. <value>Default 0.1.</value></summary>
    public double AmplitudeMin { get; init; } = 0.1;

    /// <summary>Largest amplitude of each informative modality's term. <value>Default 2.5.</value></summary>
    public double AmplitudeMax { get; init; } = 2.5;

    /// <summary>Smallest phase. <value>Default 0.</value></summary>
    public double PhaseMin { get; init; }

    /// <summary>Largest phase. <value>Default π.</value></summary>
    public double PhaseMax { get; init; } = Math.PI;

    /// <summary>Smallest value of an input variable. <value>Default −5.</value></summary>
    public double InputMin { get; init; } = -5.0;

    /// <summary>Largest value of an input variable. <value>Default 5.</value></summary>
    public double InputMax { get; init; } = 5.0;

    /// <summary>Seed of the task-independent structure: each modality's projection. <value>Default 0.</value></summary>
    public int StructureSeed { get; init; }

    /// <summary>Checks that every range is ordered and finite.</summary>
    /// <exception cref="ArgumentException">A range is reversed or not finite; the message names it.</exception>
    public MultimodalRegressionTaskOptions Validated()
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
