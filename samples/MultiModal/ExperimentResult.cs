namespace MultiModal;

/// <summary>Held-out accuracies (shares, 0..1) and learned late-fusion weights of the experiment.</summary>
internal sealed record ExperimentResult(
    double Modality0,
    double Modality1,
    double Late,
    double Feature,
    IReadOnlyList<double> LateWeights,
    double MissingRate,
    double LateMissing,
    double FeatureMissing,
    IReadOnlyList<double> LateMissingWeights)
{
    /// <summary>Best fusion minus best single modality, in accuracy points.</summary>
    public double FusionGain => 100 * (Math.Max(Late, Feature) - Math.Max(Modality0, Modality1));

    /// <summary>The output lines in order, <c>fusion_gain</c> last.</summary>
    public IEnumerable<(string Name, double Value)> Lines()
    {
        yield return ("modality0_accuracy", Modality0);
        yield return ("modality1_accuracy", Modality1);
        yield return ("late_fusion_accuracy", Late);
        yield return ("feature_fusion_accuracy", Feature);
        for (int i = 0; i < LateWeights.Count; i++)
        {
            yield return ($"late_fusion_weight{i}", LateWeights[i]);
        }

        yield return ("missing_rate_modality1", MissingRate);
        yield return ("late_fusion_accuracy_missing", LateMissing);
        yield return ("feature_fusion_accuracy_missing", FeatureMissing);
        for (int i = 0; i < LateMissingWeights.Count; i++)
        {
            yield return ($"late_fusion_weight{i}_missing", LateMissingWeights[i]);
        }

        yield return ("fusion_gain", FusionGain);
    }
}
