namespace MetaLearn;

/// <summary>
/// The one way options check a property when it is set (<c>init => field = OptionChecks.AtLeast(value, 1, nameof(X), "...")</c>):
/// each returns the value when it is valid and otherwise throws <see cref="ArgumentOutOfRangeException"/> naming the
/// property, the value and the caller's message (which says what to change). Rules across properties go in the
/// options' <c>Validate</c> or the consumer's constructor.
/// </summary>
internal static class OptionChecks
{
    /// <summary><paramref name="value"/> when it is at least <paramref name="minimum"/>.</summary>
    public static int AtLeast(int value, int minimum, string name, string message) =>
        Valid(value, value >= minimum, name, message);

    /// <summary><paramref name="value"/> when it is positive and finite.</summary>
    public static double PositiveFinite(double value, string name, string message) =>
        Valid(value, value > 0 && double.IsFinite(value), name, message);

    /// <summary><paramref name="value"/> when it is zero or more and finite.</summary>
    public static double NonNegativeFinite(double value, string name, string message) =>
        Valid(value, value >= 0 && double.IsFinite(value), name, message);

    /// <summary><paramref name="value"/> when <paramref name="valid"/> holds.</summary>
    /// <param name="value">The value being set.</param>
    /// <param name="valid">Whether it is valid.</param>
    /// <param name="name">The property.</param>
    /// <param name="message">What to change.</param>
    /// <param name="actual">How to show the value in the exception (e.g. a list's items); null shows <paramref name="value"/>.</param>
    public static T Valid<T>(T value, bool valid, string name, string message, Func<object?>? actual = null) =>
        valid ? value : throw new ArgumentOutOfRangeException(name, actual is null ? value : actual(), message);

    /// <summary><paramref name="value"/> when it is not null.</summary>
    public static Algorithms.Loss NotNull(Algorithms.Loss? value, string name) =>
        value ?? throw new ArgumentNullException(name, "Give a loss, e.g. Loss.CrossEntropy() or Loss.MeanSquaredError.");
}
