using System.Text.RegularExpressions;

namespace MetaClassification;

/// <summary>
/// Every make_classification parameter as a command-line flag (shared by <c>generate</c> and <c>train</c>), the
/// options built from them, and error messages that name the flag to change.
/// </summary>
internal sealed class MakeClassificationFlags
{
    private static readonly Dictionary<string, string> FlagOf = new()
    {
        ["Samples"] = "--n-samples",
        ["Features"] = "--n-features",
        ["Informative"] = "--n-informative",
        ["Redundant"] = "--n-redundant",
        ["Repeated"] = "--n-repeated",
        ["Classes"] = "--n-classes",
        ["ClustersPerClass"] = "--n-clusters-per-class",
        ["Weights"] = "--weights",
        ["FlipY"] = "--flip-y",
        ["ClassSep"] = "--class-sep",
        ["Shift"] = "--shift",
        ["Scale"] = "--scale",
        ["Shots"] = "--shots",
        ["Queries"] = "--queries",
    };

    private readonly List<Option> _options = [];
    private readonly List<Func<MakeClassificationOptions, ParseResult, MakeClassificationOptions>> _setters = [];

    /// <summary>Creates the flags with defaults taken from <paramref name="defaults"/>.</summary>
    public MakeClassificationFlags(MakeClassificationOptions defaults)
    {
        var d = defaults;
        Add(new Option<int>("--n-samples") { Description = "Number of samples (per task when training).", DefaultValueFactory = _ => d.Samples }, (o, v) => o with { Samples = v });
        Add(new Option<int>("--n-features") { Description = "Total number of features.", DefaultValueFactory = _ => d.Features }, (o, v) => o with { Features = v });
        Add(new Option<int>("--n-informative") { Description = "Informative features.", DefaultValueFactory = _ => d.Informative }, (o, v) => o with { Informative = v });
        Add(new Option<int>("--n-redundant") { Description = "Redundant features (linear combinations of the informative ones).", DefaultValueFactory = _ => d.Redundant }, (o, v) => o with { Redundant = v });
        Add(new Option<int>("--n-repeated") { Description = "Repeated features (copies of informative or redundant ones).", DefaultValueFactory = _ => d.Repeated }, (o, v) => o with { Repeated = v });
        Add(new Option<int>("--n-classes") { Description = "Number of classes.", DefaultValueFactory = _ => d.Classes }, (o, v) => o with { Classes = v });
        Add(new Option<int>("--n-clusters-per-class") { Description = "Gaussian clusters per class; n-classes * n-clusters-per-class must be <= 2^n-informative.", DefaultValueFactory = _ => d.ClustersPerClass }, (o, v) => o with { ClustersPerClass = v });
        Add(new Option<string?>("--weights") { Description = "Class shares, comma-separated: n-classes values, or n-classes - 1 (the last inferred). Default: balanced." }, (o, v) => o with { Weights = ParseList(v, "--weights") });
        Add(new Option<double>("--flip-y") { Description = "Share of labels replaced by random classes, in [0, 1].", DefaultValueFactory = _ => d.FlipY }, (o, v) => o with { FlipY = v });
        Add(new Option<double>("--class-sep") { Description = "Half the side of the hypercube holding the cluster centroids.", DefaultValueFactory = _ => d.ClassSep }, (o, v) => o with { ClassSep = v });
        Add(new Option<bool>("--hypercube") { Description = "Centroids on hypercube vertices (false: a random polytope).", DefaultValueFactory = _ => d.Hypercube }, (o, v) => o with { Hypercube = v });
        Add(new Option<string>("--shift") { Description = "Added to the features: one number, one per feature (comma-separated), or 'random'.", DefaultValueFactory = _ => "0" }, (o, v) => o with { Shift = ParseOneOrPerFeature(v, "--shift") });
        Add(new Option<string>("--scale") { Description = "Multiplies the features: one number, one per feature (comma-separated), or 'random'.", DefaultValueFactory = _ => "1" }, (o, v) => o with { Scale = ParseOneOrPerFeature(v, "--scale") });
        Add(new Option<bool>("--shuffle") { Description = "Shuffle samples and features (--shuffle false keeps feature positions fixed).", DefaultValueFactory = _ => d.Shuffle }, (o, v) => o with { Shuffle = v });
    }

    /// <summary>The flags, to add to a command.</summary>
    public IEnumerable<Option> All => _options;

    /// <summary>The generator options the command line asks for.</summary>
    /// <exception cref="ArgumentException">A value is invalid (the message names the option).</exception>
    public MakeClassificationOptions Build(ParseResult parse) => _setters.Aggregate(new MakeClassificationOptions(), (o, set) => set(o, parse));

    private void Add<T>(Option<T> option, Func<MakeClassificationOptions, T, MakeClassificationOptions> set)
    {
        _options.Add(option);
        _setters.Add((o, parse) => set(o, parse.GetValue(option)!));
    }

    /// <summary>Prints an invalid-option error, naming the flags it mentions; returns exit code 2.</summary>
    public static int Fail(ArgumentException e)
    {
        // Drop the " (Parameter 'X')" and "Actual value was" tails .NET appends: the message already says what to change.
        string message = e.Message;
        int cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        message = cut >= 0 ? message[..cut] : message.Split(Environment.NewLine)[0];
        Console.Error.WriteLine($"error: {message}");
        var named = FlagOf.Where(p => Regex.IsMatch(message, $@"\b{p.Key}\b")).Select(p => $"{p.Key} is {p.Value}").ToArray();
        if (named.Length > 0)
        {
            Console.Error.WriteLine($"(on the command line: {string.Join(", ", named)})");
        }

        return 2;
    }

    /// <summary>A one-line description of generator options, for the learner's metadata and the console.</summary>
    public static string Describe(MakeClassificationOptions o) => string.Create(CultureInfo.InvariantCulture,
        $"n_samples={o.Samples} n_features={o.Features} n_informative={o.Informative} n_redundant={o.Redundant} n_repeated={o.Repeated} " +
        $"n_classes={o.Classes} n_clusters_per_class={o.ClustersPerClass} flip_y={o.FlipY} class_sep={o.ClassSep} hypercube={o.Hypercube} shuffle={o.Shuffle}");

    private static double[]? ParseList(string? text, string flag)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return text.Split(',', StringSplitOptions.TrimEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{flag} takes comma-separated numbers such as 0.7,0.3; got '{text}'.");
        }
    }

    private static double[]? ParseOneOrPerFeature(string text, string flag)
    {
        if (text.Trim().Equals("random", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        double[] values = ParseList(text, flag) ?? throw new ArgumentException($"{flag} needs a number, comma-separated numbers, or 'random'.");
        return values;
    }
}
