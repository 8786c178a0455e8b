namespace MetaLearn.Datasets;

/// <summary>
/// Loads the Omniglot handwritten-character data set (Lake, Salakhutdinov &amp; Tenenbaum, 2015) from its published
/// layout, <c>[images_background/]&lt;Alphabet&gt;/&lt;characterNN&gt;/&lt;drawing&gt;.png</c>, as a zip or an extracted folder.
/// </summary>
/// <remarks>
/// Convention: every image becomes one channel of <see cref="ImageLoadOptions.ImageSize"/> squared float32 values in
/// [0, 1] with <b>strokes 1 and background 0</b> (the 1-bit originals are dark ink on white, so they are inverted),
/// resized from 105x105 by area averaging, so stroke edges take intermediate values. The group of each class is its
/// alphabet and its name the character folder; split by alphabet with <see cref="LabeledDataset.WhereGroups"/> and
/// <see cref="LabeledDataset.ExceptGroups"/>.
/// </remarks>
public static class Omniglot
{
    /// <summary>The layout Omniglot archives follow, for error messages.</summary>
    internal const string Layout = "<Alphabet>/<character>/<drawing>.png";

    /// <summary>
    /// Omniglot's image convention: 28x28 (the size MAML and Prototypical Networks use), inverted so that strokes are 1.
    /// Change the size with <c>Omniglot.ImageOptions with { ImageSize = 20 }</c>.
    /// </summary>
    public static ImageLoadOptions ImageOptions { get; } = new() { Invert = true };

    /// <summary>Loads every drawing under <paramref name="path"/>.</summary>
    /// <param name="path">An Omniglot zip (such as <c>images_background_small1.zip</c>) or the folder it extracts to.</param>
    /// <param name="options">Preprocessing; <see cref="ImageOptions"/> when null.</param>
    /// <param name="limits">How large the zip, its entries, the files and the images may be (checked before they are read or decoded); null for <see cref="InputLimits.Default"/>.</param>
    /// <returns>
    /// A new data set <c>[N, 1, S, S]</c> the caller owns; classes ordered by alphabet then character, drawings by file name.
    /// </returns>
    /// <exception cref="ArgumentException">
    /// The path is missing, holds no PNG files, is not in the Omniglot layout, an image cannot be decoded, or a file or an
    /// image is larger than <paramref name="limits"/> allow.
    /// </exception>
    public static LabeledDataset Load(string path, ImageLoadOptions? options = null, InputLimits? limits = null)
    {
        limits ??= InputLimits.Default;
        var entries = ImageTree.List(path, limits);
        if (entries.Count == 0)
        {
            throw new ArgumentException($"'{path}' holds no images; expected the Omniglot layout {Layout}.", nameof(path));
        }

        var stripped = ImageTree.StripToDepth(entries, 2, path, Layout);
        return LabeledDataset.FromImageEntries(stripped, options ?? ImageOptions, limits);
    }
}
