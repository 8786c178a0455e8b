using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MetaLearn.Algorithms;

namespace MetaLearn.Deployment;

/// <summary>
/// A built-in <see cref="Loss"/> as a learner file writes it: <c>{"kind": "crossEntropy", "labelSmoothing": 0.1}</c>,
/// <c>{"kind": "huber", "delta": 1}</c>, or just the kind (<c>byTaskKind</c>, <c>meanSquaredError</c>, <c>l1</c>,
/// <c>binaryCrossEntropyWithLogits</c>). Numbers are JSON numbers, so no culture is involved.
/// </summary>
internal static partial class LossJson
{
    /// <exception cref="NotSupportedException">The loss is a custom loss, which a file cannot hold.</exception>
    public static JsonObject Write(Loss loss) => loss.Kind switch
    {
        null => throw new NotSupportedException($"The loss '{loss.Name}' is a custom loss; a learner file can hold only the built-in losses."),
        "crossEntropy" => new JsonObject { ["kind"] = loss.Kind, ["labelSmoothing"] = loss.Argument },
        "huber" => new JsonObject { ["kind"] = loss.Kind, ["delta"] = loss.Argument },
        _ => new JsonObject { ["kind"] = loss.Kind },
    };

    public static Loss Read(ManifestObject o)
    {
        string kind = o.String("kind");
        var loss = kind switch
        {
            "byTaskKind" => Loss.ByTaskKind,
            "meanSquaredError" => Loss.MeanSquaredError,
            "l1" => Loss.L1,
            "binaryCrossEntropyWithLogits" => Loss.BinaryCrossEntropyWithLogits,
            "crossEntropy" => Argument(o, "labelSmoothing", Loss.CrossEntropy),
            "huber" => Argument(o, "delta", Loss.Huber),
            _ => throw new SettingsException(LearnerFileProblem.Unsupported, $"the loss '{o.Path("kind")}' is '{kind}', which this MetaLearn does not know"),
        };
        o.End();
        return loss;
    }

    /// <summary>
    /// The loss a format-version-1 file names by its <see cref="Loss.Name"/>. Those names were formatted with the saving
    /// machine's culture, so a label smoothing or delta may be written with a decimal comma ("0,1"); a number in a loss
    /// name never has a group separator, so a comma there can only be the decimal separator and is read as one.
    /// </summary>
    /// <exception cref="SettingsException">The name is not a built-in loss's.</exception>
    public static Loss FromVersion1Name(string name, string where)
    {
        // Files written before task kinds existed name the old by-target-type default, which is what ByTaskKind gives.
        if (name == Loss.ByTaskKind.Name || name == "cross-entropy for class labels, else mean squared error")
        {
            return Loss.ByTaskKind;
        }

        foreach (var loss in new[] { Loss.MeanSquaredError, Loss.L1, Loss.BinaryCrossEntropyWithLogits, Loss.CrossEntropy() })
        {
            if (name == loss.Name)
            {
                return loss;
            }
        }

        var smoothing = SmoothingName().Match(name);
        if (smoothing.Success && Number(smoothing.Groups[1].Value) is double s && s >= 0 && s < 1)
        {
            return Loss.CrossEntropy(s);
        }

        var huber = HuberName().Match(name);
        if (huber.Success && Number(huber.Groups[1].Value) is double d && d > 0 && double.IsFinite(d))
        {
            return Loss.Huber(d);
        }

        throw new SettingsException(LearnerFileProblem.Unsupported, $"the loss '{where}' is '{name}', which is not a built-in loss this MetaLearn knows");
    }

    private static Loss Argument(ManifestObject o, string key, Func<double, Loss> create)
    {
        double value = o.Double(key);
        try
        {
            return create(value);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw o.Invalid(key, $"is {value.ToString("R", CultureInfo.InvariantCulture)}: {e.Message}", e);
        }
    }

    private static double? Number(string text) =>
        double.TryParse(text.Replace(',', '.'), NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out double value)
            ? value
            : null;

    [GeneratedRegex(@"^cross-entropy \(label smoothing (.+)\)$")]
    private static partial Regex SmoothingName();

    [GeneratedRegex(@"^Huber \(delta (.+)\)$")]
    private static partial Regex HuberName();
}
