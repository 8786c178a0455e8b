namespace MetaLearn;

/// <summary>
/// How much memory MetaLearn may commit to what a file says, checked before anything is allocated from it: the size of
/// a learner file or checkpoint, the model a learner file describes, an image's dimensions (read from its header before
/// decoding), the bytes of an image file or zip entry and of a whole zip. A file beyond a limit is refused with an
/// exception that names the file, what it declares, the limit and the option to raise; pass larger limits only for
/// files you trust. The methods that read such files (<c>LearnerFile.Load</c>, <c>MetaTrainer.LoadCheckpoint</c>,
/// <c>LabeledDataset.FromOmniglot</c>, <c>LabeledDataset.FromImageFolder</c>, <c>OneShotRuns.Load</c>, <c>PyTorchWeights.Load</c>) take an optional
/// <see cref="InputLimits"/>; null means <see cref="Default"/>.
/// </summary>
/// <example>
/// <code>
/// using var learner = LearnerFile.Load("big.metalearn", new InputLimits { MaxFileBytes = 4L &lt;&lt; 30, MaxModelBytes = 4L &lt;&lt; 30 });
/// </code>
/// </example>
public sealed record InputLimits
{
    /// <summary>The defaults, used wherever no limits are given.</summary>
    public static InputLimits Default { get; } = new();

    /// <summary>
    /// The largest learner file (<c>LearnerFile.Load</c>), checkpoint (<c>MetaTrainer.LoadCheckpoint</c>) or PyTorch state
    /// dict (<c>PyTorchWeights.Load</c>), in bytes, checked against the file's length before it is read (all are read
    /// whole into memory). A state dict's pickle is also held to it: its size, and an estimate of what unpickling it allocates.
    /// </summary>
    /// <value>
    /// Default 1 GiB (1,073,741,824 bytes): a checkpoint of Meta-SGD on the default ResNet-12 (12.4 million parameters,
    /// as many step sizes) with Adam measured 298 MB; once it also holds the best meta-parameters, 99 MB more. At least 1.
    /// </value>
    public long MaxFileBytes { get; init => field = Positive(value, nameof(MaxFileBytes)); } = 1L << 30;

    /// <summary>
    /// The largest model a learner file may describe, in bytes of parameters and buffers (and CAVIA's context), computed
    /// from the architecture's options before the model is built; for a registered or converted kind, whose size the
    /// options do not tell, the tensor sizes the file's header declares for it.
    /// </summary>
    /// <value>
    /// Default 1 GiB (1,073,741,824 bytes): a valid learner file holds all of its model's parameters and buffers, so with
    /// the default <see cref="MaxFileBytes"/> no larger model comes from a valid file. At least 1.
    /// </value>
    public long MaxModelBytes { get; init => field = Positive(value, nameof(MaxModelBytes)); } = 1L << 30;

    /// <summary>
    /// The most pixels (width x height) one image may declare in its header; checked before it is decoded, since the
    /// decoder allocates what the header says.
    /// </summary>
    /// <value>
    /// Default 33,554,432 (2^25, e.g. 8192 x 4096): a 24-megapixel photo (6000 x 4000) fits; decoded as RGBA it takes
    /// 128 MiB. Few-shot images are far smaller (Omniglot's are 105 x 105). At least 1.
    /// </value>
    public long MaxImagePixels { get; init => field = Positive(value, nameof(MaxImagePixels)); } = 1L << 25;

    /// <summary>
    /// The largest image file, in bytes: a file of an image folder (checked against its length before it is read) or an
    /// entry of a zip (its declared size is checked before it is read, and reading stops when the entry holds more than
    /// it declared).
    /// </summary>
    /// <value>Default 256 MiB (268,435,456 bytes): twice the raw RGBA size of the largest image <see cref="MaxImagePixels"/> allows. At least 1.</value>
    public long MaxImageFileBytes { get; init => field = Positive(value, nameof(MaxImageFileBytes)); } = 256L << 20;

    /// <summary>
    /// The most image bytes read from one zip archive, all of which are held in memory while the images are decoded: the
    /// sum of its image entries' declared sizes, checked before any entry is read.
    /// </summary>
    /// <value>
    /// Default 2 GiB (2,147,483,648 bytes): Omniglot's <c>images_background_small1.zip</c> holds 656,309 bytes in its
    /// 2,720 images, so millions of such images fit. For a larger archive, extract it to a folder (whose images are read a
    /// chunk at a time) or raise this limit. At least 1.
    /// </value>
    public long MaxZipBytes { get; init => field = Positive(value, nameof(MaxZipBytes)); } = 2L << 30;

    private static long Positive(long value, string name) =>
        OptionChecks.Valid(value, value >= 1, name, $"InputLimits.{name} must be at least 1 byte or pixel; raise it rather than lower it to allow larger input.");
}
