using System.Text.Json.Nodes;
using MetaLearn.Algorithms;

namespace MetaLearn.Deployment;

internal static partial class AlgorithmSettings
{
    /// <summary>
    /// The settings of a format-version-1 file in the current form. Version 1 wrote each algorithm's options under a key
    /// of its own (<c>inner</c>, <c>reptile</c>, ...), the loss as its display name, and left out options added after
    /// the file was written; what those left out meant is filled in here:
    /// <list type="bullet">
    /// <item>Reptile's outer update, ε and annealing, and every algorithm's loss, when absent: the only behaviour there
    /// was before those options existed (interpolation, ε = 1 without annealing, <see cref="Loss.ByTaskKind"/>).</item>
    /// <item>How many tasks MAML, first-order MAML, Meta-SGD and ANIL compute at once (<see cref="InnerLoopOptions.ParallelTasks"/>):
    /// one, the only way there was; it changes how fast a meta-batch runs, not what the learner predicts.</item>
    /// <item>The inner update rule of MAML, first-order MAML, Meta-SGD and ANIL: never written, and the file cannot
    /// tell SGD from momentum or Adam, so it is taken from <paramref name="updateRule"/> (<see cref="LearnerFile.Load"/>'s <c>version1UpdateRule</c>)
    /// (with the constants' defaults) and the file is refused when that is not set.</item>
    /// </list>
    /// </summary>
    /// <exception cref="SettingsException">A setting is missing or unknown, or the update rule is needed and not given.</exception>
    public static ManifestObject Version1(ManifestObject settings, InnerUpdateRule? updateRule)
    {
        string name = settings.String("name");
        JsonObject converted = name switch
        {
            "maml" or "fomaml" or "metasgd" or "anil" => Inner(settings.Object("inner"), updateRule, name),
            "reptile" => Version1Options(settings.Object("reptile"), new JsonObject
            {
                ["outerUpdate"] = nameof(ReptileOuterUpdate.Interpolation),
                ["outerStepSize"] = 1.0,
                ["outerStepSizeAnnealingIterations"] = 0,
            }),
            "protonet" => Version1Options(Protonet(settings), new JsonObject()),
            "imaml" => Version1Options(settings.Object("imaml"), new JsonObject()),
            "cavia" => Version1Options(settings.Object("cavia"), new JsonObject()),
            "r2d2" => Version1Options(settings.Object("r2d2"), new JsonObject()),
            _ => throw new SettingsException(LearnerFileProblem.Unsupported,
                $"the algorithm '{name}' is not known to this MetaLearn ({string.Join(", ", MetaAlgorithms.Names)} are)"),
        };
        settings.End();
        return new ManifestObject(new JsonObject { ["name"] = name, ["options"] = converted }, settings.Where);
    }

    /// <summary>ProtoNets' version-1 settings lay beside its name.</summary>
    private static ManifestObject Protonet(ManifestObject settings)
    {
        var o = new JsonObject { ["taskBatching"] = settings.Required("taskBatching").DeepClone() };
        if (settings.Optional("loss") is { } loss)
        {
            o["loss"] = loss.DeepClone();
        }

        return new ManifestObject(o, settings.Where);
    }

    private static JsonObject Inner(ManifestObject inner, InnerUpdateRule? updateRule, string name)
    {
        var rule = updateRule ?? throw new SettingsException(LearnerFileProblem.Ambiguous,
            $"it was written in learner format version 1, which did not record the inner update rule of '{name}' (SGD, momentum or Adam), so " +
            "the file alone cannot say how the learner adapts. If it was meta-trained with the default (SGD) or another known rule, load it with " +
            "LearnerFile.Load(path, version1UpdateRule: InnerUpdateRule.Sgd) and save it again to write the current format");
        var defaults = new InnerLoopOptions();
        return Version1Options(inner, new JsonObject
        {
            ["updateRule"] = rule.ToString(),
            ["momentum"] = defaults.Momentum,
            ["adamBeta1"] = defaults.AdamBeta1,
            ["adamBeta2"] = defaults.AdamBeta2,
            ["adamEpsilon"] = defaults.AdamEpsilon,
            ["parallelTasks"] = defaults.ParallelTasks,
        });
    }

    /// <summary>
    /// A version-1 options object with its loss name turned into a loss object (<see cref="Loss.ByTaskKind"/> when absent)
    /// and <paramref name="unrecorded"/>'s values for the options version 1 did not write; a key the object has anyway
    /// wins over <paramref name="unrecorded"/>. Keys neither version knows stay, so the strict reader refuses them.
    /// </summary>
    private static JsonObject Version1Options(ManifestObject o, JsonObject unrecorded)
    {
        var result = new JsonObject();
        string? lossName = o.Optional("loss") is { } node
            ? (node is JsonValue v && v.TryGetValue(out string? s) ? s : throw o.Invalid("loss", "is not a loss name"))
            : null;
        result["loss"] = LossJson.Write(lossName is null ? Loss.ByTaskKind : LossJson.FromVersion1Name(lossName, o.Path("loss")));
        foreach (var (key, value) in o.Entries())
        {
            if (key != "loss")
            {
                result[key] = value?.DeepClone();
            }
        }

        foreach (var (key, value) in unrecorded)
        {
            if (!result.ContainsKey(key))
            {
                result[key] = value?.DeepClone();
            }
        }

        return result;
    }
}
