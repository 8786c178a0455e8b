namespace MetaLearn.Deployment;

/// <summary>
/// The key a learner file stores an option under when it differs from the property's name in camel case: an option
/// renamed after files were written keeps its key (and its place in the manifest), so those files still load and new
/// files read the same.
/// </summary>
/// <param name="key">The stored key, e.g. <c>innerSteps</c> for <c>InnerAdaptationOptions.Steps</c>.</param>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
internal sealed class SettingKeyAttribute(string key) : Attribute
{
    /// <summary>The stored key.</summary>
    public string Key { get; } = key;
}
