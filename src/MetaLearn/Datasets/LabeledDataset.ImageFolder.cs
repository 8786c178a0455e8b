namespace MetaLearn.Datasets;

public sealed partial class LabeledDataset
{
    /// <summary>
    /// Loads an image-folder tree, <c>root/&lt;group&gt;/&lt;class&gt;/*.png</c> or <c>root/&lt;class&gt;/*.png</c>
    /// (a folder or a zip of one; folders every image shares are skipped), into a data set of grey images
    /// <c>[N, 1, S, S]</c> in [0, 1].
    /// </summary>
    /// <param name="path">A folder or a <c>.zip</c> file.</param>
    /// <param name="options">Size and intensity convention; defaults when null.</param>
    /// <param name="limits">How large the zip, its entries, the files and the images may be (checked before they are read or decoded); null for <see cref="InputLimits.Default"/>.</param>
    /// <returns>
    /// A new data set the caller owns. Classes are ordered by (group, class) folder name, examples by file name
    /// (ordinal); class and group names are the folder names.
    /// </returns>
    /// <exception cref="ArgumentException">
    /// The path does not exist, holds no images, mixes layouts, an image cannot be decoded, or a file or an image is
    /// larger than <paramref name="limits"/> allow.
    /// </exception>
    public static LabeledDataset FromImageFolder(string path, ImageLoadOptions? options = null, InputLimits? limits = null)
    {
        limits ??= InputLimits.Default;
        var entries = ImageTree.List(path, limits);
        if (entries.Count == 0)
        {
            throw new ArgumentException($"'{path}' holds no image files (.png, .jpg, .bmp, .gif, .tga).", nameof(path));
        }

        int depth = entries.Min(e => e.Folders.Count) >= 2 ? 2 : 1;
        string layout = depth == 2 ? "<group>/<class>/<image>" : "<class>/<image>";
        return FromImageEntries(ImageTree.StripToDepth(entries, depth, path, layout), options ?? new ImageLoadOptions(), limits);
    }

    /// <summary>The layout Omniglot archives follow, for error messages.</summary>
    internal const string OmniglotLayout = "<Alphabet>/<character>/<drawing>.png";

    /// <summary>
    /// Loads the Omniglot handwritten-character data set (Lake, Salakhutdinov &amp; Tenenbaum, 2015) from its published
    /// layout, <c>[images_background/]&lt;Alphabet&gt;/&lt;characterNN&gt;/&lt;drawing&gt;.png</c>, as a zip or an
    /// extracted folder.
    /// </summary>
    /// <remarks>
    /// Convention (<see cref="ImageLoadOptions.Omniglot"/>): every image becomes one channel of
    /// <see cref="ImageLoadOptions.ImageSize"/> squared float32 values in [0, 1] with <b>strokes 1 and background 0</b>
    /// (the 1-bit originals are dark ink on white, so they are inverted), resized from 105x105 by area averaging, so
    /// stroke edges take intermediate values. The group of each class is its alphabet and its name the character folder;
    /// split by alphabet with <see cref="WhereGroups"/> and <see cref="ExceptGroups"/>.
    /// </remarks>
    /// <param name="path">An Omniglot zip (such as <c>images_background_small1.zip</c>) or the folder it extracts to.</param>
    /// <param name="options">Preprocessing; <see cref="ImageLoadOptions.Omniglot"/> when null.</param>
    /// <param name="limits">How large the zip, its entries, the files and the images may be (checked before they are read or decoded); null for <see cref="InputLimits.Default"/>.</param>
    /// <returns>
    /// A new data set <c>[N, 1, S, S]</c> the caller owns; classes ordered by alphabet then character, drawings by file name.
    /// </returns>
    /// <exception cref="ArgumentException">
    /// The path is missing, holds no PNG files, is not in the Omniglot layout, an image cannot be decoded, or a file or an
    /// image is larger than <paramref name="limits"/> allow.
    /// </exception>
    public static LabeledDataset FromOmniglot(string path, ImageLoadOptions? options = null, InputLimits? limits = null)
    {
        limits ??= InputLimits.Default;
        var entries = ImageTree.List(path, limits);
        if (entries.Count == 0)
        {
            throw new ArgumentException($"'{path}' holds no images; expected the Omniglot layout {OmniglotLayout}.", nameof(path));
        }

        var stripped = ImageTree.StripToDepth(entries, 2, path, OmniglotLayout);
        return FromImageEntries(stripped, options ?? ImageLoadOptions.Omniglot, limits);
    }

    /// <summary>Builds a data set from entries already stripped to <c>[group/]class/file</c>.</summary>
    internal static LabeledDataset FromImageEntries(IReadOnlyList<ImageEntry> entries, ImageLoadOptions options, InputLimits limits)
    {
        var classes = new List<LabeledClass>();
        var classIds = new Dictionary<LabeledClass, int>();
        var labels = new int[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            var folders = entries[i].Folders;
            var cls = new LabeledClass(folders[^1], folders.Count == 2 ? folders[0] : string.Empty);
            if (!classIds.TryGetValue(cls, out int id))
            {
                id = classes.Count;
                classes.Add(cls);
                classIds.Add(cls, id);
            }

            labels[i] = id;
        }

        return new LabeledDataset(ImageDecoder.Decode(entries, options, limits), labels, classes);
    }
}
