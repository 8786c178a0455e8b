namespace MetaLearn.Datasets;

/// <summary>
/// A value given either once for every item or once per item (per feature, per center), like the
/// "float or array-like" parameters of scikit-learn's generators. The options show it as an
/// <see cref="IReadOnlyList{T}"/> of doubles: one value applies to every item.
/// </summary>
internal sealed class ScalarOrArray : IEquatable<ScalarOrArray>, IReadOnlyList<double>
{
    private readonly double[] _values;

    private ScalarOrArray(double[] values, bool isScalar)
    {
        _values = values;
        IsScalar = isScalar;
    }

    /// <summary>Whether one value applies to every item.</summary>
    public bool IsScalar { get; }

    /// <summary>The values: one if <see cref="IsScalar"/>, else one per item.</summary>
    public IReadOnlyList<double> Values => _values;

    /// <summary>One value for every item.</summary>
    public static ScalarOrArray Of(double value) => new(new[] { value }, true);

    /// <summary>One value per item; the array is copied.</summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty.</exception>
    public static ScalarOrArray Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("Give at least one value, or a single number for every item.", nameof(values));
        }

        return new ScalarOrArray(values.ToArray(), false);
    }

    /// <summary>How many values there are: one if <see cref="IsScalar"/>, else one per item.</summary>
    public int Count => _values.Length;

    /// <summary>One value (<paramref name="values"/> holds one) for every item, or one per item; the list is copied.</summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty.</exception>
    public static ScalarOrArray From(IReadOnlyList<double> values) => values switch
    {
        ScalarOrArray same => same,
        { Count: 1 } => Of(values[0]),
        _ => Of(values),
    };

    /// <summary>One value for every item.</summary>
    public static implicit operator ScalarOrArray(double value) => Of(value);

    /// <summary>One value per item; the array is copied.</summary>
    public static implicit operator ScalarOrArray(double[] values) => Of(values);

    /// <inheritdoc />
    public IEnumerator<double> GetEnumerator() => ((IEnumerable<double>)_values).GetEnumerator();

    /// <inheritdoc />
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The value of item <paramref name="index"/>.</summary>
    public double this[int index] => IsScalar ? _values[0] : _values[index];

    /// <summary>Whether every value satisfies <paramref name="predicate"/>.</summary>
    public bool All(Func<double, bool> predicate) => _values.All(predicate);

    /// <summary>Whether this value fits <paramref name="count"/> items (a scalar fits any count).</summary>
    public bool Fits(int count) => IsScalar || _values.Length == count;

    /// <summary>Value equality: same kind (scalar or per item) and same values.</summary>
    public bool Equals(ScalarOrArray? other) => other is not null && IsScalar == other.IsScalar && _values.AsSpan().SequenceEqual(other._values);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ScalarOrArray);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(IsScalar);
        foreach (double v in _values)
        {
            hash.Add(v);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => IsScalar ? _values[0].ToString("R", System.Globalization.CultureInfo.InvariantCulture)
        : "[" + string.Join(", ", _values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]";
}
