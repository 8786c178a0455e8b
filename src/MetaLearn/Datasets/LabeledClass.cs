namespace MetaLearn.Datasets;

/// <summary>What one class of a <see cref="LabeledDataset"/> is.</summary>
/// <param name="Name">The class name (for Omniglot, the character folder, e.g. <c>character07</c>).</param>
/// <param name="Group">
/// The group the class belongs to (for Omniglot, the alphabet, e.g. <c>Greek</c>); empty when the data set has no groups.
/// </param>
public sealed record LabeledClass(string Name, string Group)
{
    /// <summary>The class name qualified by its group (<c>Group/Name</c>), or the bare name when there is no group.</summary>
    public string FullName => Group.Length == 0 ? Name : $"{Group}/{Name}";

    /// <inheritdoc />
    public override string ToString() => FullName;
}
