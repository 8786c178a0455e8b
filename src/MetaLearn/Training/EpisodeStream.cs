using System.Globalization;
using System.Security.Cryptography;
using MetaLearn.Sampling;

namespace MetaLearn.Training;

/// <summary>
/// What decides the episodes a training draws, as a checkpoint records it: the seed and meta-batch size (which give
/// every episode's seed), the sampler's type and options text, and the SHA-256 of one episode drawn from a fixed seed,
/// which also catches what the options text cannot show (another data set, a collection's contents, a custom sampler).
/// </summary>
/// <param name="Seed">The trainer's seed.</param>
/// <param name="MetaBatchSize">Episodes per meta-batch.</param>
/// <param name="Sampler">The sampler's type and options (empty when the trainer has not trained yet).</param>
/// <param name="Digest">SHA-256 (hex) of the probe episode (empty when the trainer has not trained yet).</param>
internal sealed record EpisodeStream(int Seed, int MetaBatchSize, string Sampler, string Digest)
{
    /// <summary>The stream of <paramref name="sampler"/> under the given seed and meta-batch size; draws one episode.</summary>
    public static EpisodeStream Of(ITaskSampler sampler, int seed, int metaBatchSize, int probeSeed) =>
        new(seed, metaBatchSize, Describe(sampler), DigestOf(sampler, probeSeed));

    /// <summary>
    /// The sampler's type and, when it has a public <c>Options</c> property (all of MetaLearn's samplers do), that
    /// property's text, with numbers written in the invariant culture.
    /// </summary>
    public static string Describe(ITaskSampler sampler)
    {
        var type = sampler.GetType();
        object? options = type.GetProperty("Options")?.GetValue(sampler);
        if (options is null)
        {
            return type.FullName!;
        }

        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            return $"{type.FullName} {options}";
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    /// <summary>Why training on <paramref name="now"/> would not continue this stream, or null when it would.</summary>
    public string? SamplerDifference(EpisodeStream now)
    {
        if (Sampler.Length == 0)
        {
            return null;
        }

        if (Sampler != now.Sampler)
        {
            string named = string.Join("; ", Differences(Sampler, now.Sampler));
            return $"the checkpoint was written while training on {Sampler}, and this call trains on {now.Sampler}" +
                (named.Length > 0 ? $" (differing: {named})" : string.Empty);
        }

        return Digest == now.Digest
            ? null
            : $"the sampler {Sampler} has the same options but draws other episodes from the same seed than when the checkpoint was written (other data?)";
    }

    /// <summary>The <c>Name = value</c> entries of two record texts that differ, as "Name: old -> new".</summary>
    private static IEnumerable<string> Differences(string before, string after)
    {
        var old = Entries(before);
        var now = Entries(after);
        foreach (var (name, value) in old)
        {
            string other = now.TryGetValue(name, out var v) ? v : "(absent)";
            if (other != value)
            {
                yield return $"{name}: {value} -> {other}";
            }
        }

        foreach (var (name, value) in now)
        {
            if (!old.ContainsKey(name))
            {
                yield return $"{name}: (absent) -> {value}";
            }
        }
    }

    /// <summary>Splits a record's text (<c>Type { A = 1, B = Inner { C = 2 } }</c>) into its top-level entries.</summary>
    private static Dictionary<string, string> Entries(string text)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        int open = text.IndexOf('{');
        if (open < 0 || !text.EndsWith('}'))
        {
            return entries;
        }

        string body = text[(open + 1)..^1];
        int depth = 0;
        int start = 0;
        for (int i = 0; i <= body.Length; i++)
        {
            char c = i < body.Length ? body[i] : ',';
            depth += c is '{' or '[' or '(' ? 1 : c is '}' or ']' or ')' ? -1 : 0;
            if (c == ',' && depth == 0)
            {
                string entry = body[start..i].Trim();
                int equals = entry.IndexOf(" = ", StringComparison.Ordinal);
                if (equals > 0)
                {
                    entries[entry[..equals]] = entry[(equals + 3)..];
                }

                start = i + 1;
            }
        }

        return entries;
    }

    private static string DigestOf(ITaskSampler sampler, int seed)
    {
        using var episode = sampler.Sample(seed);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var scope = NewDisposeScope();
        foreach (var t in episode.SupportInputs.Append(episode.SupportTargets).Concat(episode.QueryInputs).Append(episode.QueryTargets))
        {
            var cpu = t.cpu().contiguous();
            hash.AppendData(BitConverter.GetBytes((int)cpu.dtype));
            foreach (long d in cpu.shape)
            {
                hash.AppendData(BitConverter.GetBytes(d));
            }

            hash.AppendData(cpu.bytes);
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
