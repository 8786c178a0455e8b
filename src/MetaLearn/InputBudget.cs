using System.Globalization;

namespace MetaLearn;

/// <summary>
/// The checks of <see cref="InputLimits"/>: each compares what a file declares with a limit before anything is allocated
/// from it, and says in one message which file, what it declares, the limit and the option to raise.
/// </summary>
internal static class InputBudget
{
    /// <summary>Whether <paramref name="declared"/> exceeds <paramref name="limit"/>; the message when it does.</summary>
    /// <param name="subject">What declares the size, naming the file (e.g. <c>'run.ckpt'</c>).</param>
    /// <param name="declared">What it declares, in words and figures (e.g. "is 3,221,225,472 bytes").</param>
    /// <param name="size">The declared size, in the limit's unit.</param>
    /// <param name="limit">The limit's value.</param>
    /// <param name="option">The <see cref="InputLimits"/> property, e.g. <c>nameof(InputLimits.MaxFileBytes)</c>.</param>
    /// <param name="unit">The unit, "bytes" or "pixels".</param>
    /// <param name="usage">Where to pass larger limits, e.g. "LearnerFile.Load(path, limits)".</param>
    /// <returns>Null when the size is within the limit, else the message.</returns>
    public static string? Exceeds(string subject, string declared, Int128 size, long limit, string option, string unit, string usage) =>
        size <= limit
            ? null
            : $"{subject} {declared}, more than InputLimits.{option} allows ({Figure(limit)} {unit}); nothing was allocated from it. " +
              $"If you trust it, raise the limit: {usage} with new InputLimits {{ {option} = ... }}.";

    /// <summary>
    /// Reads the whole file at <paramref name="path"/> once its length is known to be within <paramref name="limit"/>:
    /// the length is taken from the open file, so a file that grows meanwhile is not read past it.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What the file is, for the message (e.g. "a learner file").</param>
    /// <param name="limit">The limit's value.</param>
    /// <param name="option">The <see cref="InputLimits"/> property that sets the limit.</param>
    /// <param name="usage">Where to pass larger limits.</param>
    /// <param name="refuse">Makes the exception to throw from the message.</param>
    /// <returns>The file's bytes.</returns>
    public static byte[] ReadFile(string path, string what, long limit, string option, string usage, Func<string, Exception> refuse)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        long length = stream.Length;
        if (Exceeds($"'{path}' ({what})", $"is {Figure(length)} bytes", length, limit, option, "bytes", usage) is { } message)
        {
            throw refuse(message);
        }

        byte[] bytes = new byte[length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>A count with thousands separators, the same in every culture.</summary>
    public static string Figure(Int128 value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
