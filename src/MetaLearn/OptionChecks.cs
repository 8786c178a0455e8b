namespace MetaLearn;

/// <summary>The validations the options records share; each throws with the caller's message.</summary>
internal static class OptionChecks
{
    /// <summary><paramref name="value"/> when it is at least <paramref name="minimum"/>.</summary>
    public static int AtLeast(int value, int minimum, string name, string message) =>
        value >= minimum ? value : throw new ArgumentOutOfRangeException(name, value, message);

    /// <summary><paramref name="value"/> when it is positive and finite.</summary>
    public static double PositiveFinite(double value, string name, string message) =>
        value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, message);

    /// <summary><paramref name="value"/> when it is not null.</summary>
    public static Algorithms.Loss NotNull(Algorithms.Loss? value, string name) =>
        value ?? throw new ArgumentNullException(name, "Give a loss, e.g. Loss.CrossEntropy() or Loss.MeanSquaredError.");
}
