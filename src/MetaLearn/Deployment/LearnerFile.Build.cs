using System.Text.Json.Nodes;
using MetaLearn.Algorithms;

namespace MetaLearn.Deployment;

public static partial class LearnerFile
{
    /// <summary>
    /// Rebuilds the learner a verified file describes: reads the manifest strictly (every setting known, none missing),
    /// checks the described model against <paramref name="limits"/>, builds the model and the algorithm, checks that the file holds exactly the tensors they have (names, shapes and
    /// types), and only then copies the values in.
    /// </summary>
    private static Learner Build(string path, int version, JsonObject manifest, List<SafeTensors.Entry> entries, InnerUpdateRule? version1UpdateRule, InputLimits limits)
    {
        IFunctionalModel? model = null;
        IMetaAlgorithm? algorithm = null;
        try
        {
            var root = new ManifestObject(manifest, "manifest");
            var settings = version == 1 ? AlgorithmSettings.Version1(root.Object("algorithm"), version1UpdateRule) : root.Object("algorithm");
            var architecture = ModelArchitecture.FromJson(root.Object("model"));
            if (version == 1)
            {
                architecture = Version1Architecture(architecture, entries);
                foreach (string listed in new[] { "parameters", "stepSizes", "buffers", "algorithmParameters" })
                {
                    root.Has(listed);   // version 1 also listed the tensor names; the tensors themselves are checked below
                }
            }

            var metadataObject = root.Object("metadata");
            var metadata = metadataObject.Entries().ToDictionary(
                p => p.Key,
                p => p.Value is JsonValue v && v.TryGetValue(out string? s) ? s : throw metadataObject.Invalid(p.Key, "is not a string"),
                StringComparer.Ordinal);
            root.Optional("library");
            root.End();

            LearnerBudget.CheckModel(path, architecture, manifest, entries, limits);
            model = architecture.Build();
            algorithm = AlgorithmSettings.Build(settings, model);
            using (var tensors = new LearnerTensors(algorithm, generators: version > 1))
            {
                Restore(path, tensors, entries);
            }

            return Learner.Of(algorithm, model, architecture, metadata, version);
        }
        catch (Exception e)
        {
            algorithm?.Dispose();
            model?.Dispose();
            throw e switch
            {
                LearnerFileException => e,
                SettingsException s => new LearnerFileException(s.Problem, $"'{path}' cannot be loaded: {s.Message}.", e),
                NotSupportedException => new LearnerFileException(LearnerFileProblem.Unsupported, $"'{path}' cannot be loaded here: {e.Message}", e),
                _ => new LearnerFileException(LearnerFileProblem.Corrupted, $"'{path}' does not describe a model that can be rebuilt: {e.Message}", e),
            };
        }
    }

    /// <summary>
    /// Checks that <paramref name="entries"/> are exactly the tensors <paramref name="tensors"/> lists, each of the same
    /// shape and type, then copies them in. Nothing is changed when a check fails.
    /// </summary>
    private static void Restore(string path, LearnerTensors tensors, List<SafeTensors.Entry> entries)
    {
        var expected = tensors.Entries.ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);
        var present = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var missing = expected.Keys.Where(n => !present.ContainsKey(n)).ToArray();
        var leftover = present.Keys.Where(n => !expected.ContainsKey(n)).ToArray();
        if (missing.Length > 0 || leftover.Length > 0)
        {
            var parts = new List<string>();
            if (missing.Length > 0)
            {
                parts.Add($"it lacks the tensor(s) {Names(missing)} that the learner its manifest describes needs");
            }

            if (leftover.Length > 0)
            {
                parts.Add($"it holds tensor(s) {Names(leftover)} that the learner its manifest describes does not have");
            }

            throw new LearnerFileException(LearnerFileProblem.Inconsistent, $"'{path}' does not match its own manifest: {string.Join("; ", parts)}.");
        }

        foreach (var (name, target) in expected)
        {
            var entry = present[name];
            if (!entry.Shape.SequenceEqual(target.shape) || SafeTensors.DTypeOf(entry) != target.dtype)
            {
                throw new LearnerFileException(LearnerFileProblem.Inconsistent,
                    $"'{path}': tensor '{name}' is {entry.DType} [{string.Join(", ", entry.Shape)}] but the learner its manifest describes needs " +
                    $"{target.dtype} [{string.Join(", ", target.shape)}].");
            }
        }

        foreach (var (name, _) in expected)
        {
            using var value = SafeTensors.ToTensor(present[name]);
            tensors.Restore(name, value);
        }
    }

    /// <summary>
    /// A version-1 Conv4 did not record its batch-norm statistics (<see cref="Conv4Options.BatchNormStatistics"/>, unless a
    /// later version-1 writer added it): it kept running statistics, used by its predictions, with several batch-norm
    /// sets or when asked to (its running statistics are then in the file), and otherwise normalised every pass over
    /// that pass's own rows, which is <see cref="BatchNormStatistics.Transductive"/>.
    /// </summary>
    private static ModelArchitecture Version1Architecture(ModelArchitecture architecture, List<SafeTensors.Entry> entries)
    {
        if (architecture.Kind != "conv4" || architecture.Options.ContainsKey("batchNormStatistics"))
        {
            return architecture;
        }

        var options = (JsonObject)architecture.Options.DeepClone();
        bool running = entries.Any(e => e.Name.StartsWith("buffers.", StringComparison.Ordinal));
        options["batchNormStatistics"] = (running ? BatchNormStatistics.Running : BatchNormStatistics.Transductive).ToString();
        return architecture with { Options = options };
    }

    private static string Names(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(8).Select(n => $"'{n}'")) + (names.Count > 8 ? $" and {names.Count - 8} more" : string.Empty);
}
