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
