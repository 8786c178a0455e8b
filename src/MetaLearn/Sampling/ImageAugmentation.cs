using F = TorchSharp.torch.nn.functional;

namespace MetaLearn.Sampling;

/// <summary>
/// A random affine distortion of every image <see cref="TaskSamplers.Episodes"/> draws (<see cref="EpisodicSamplerOptions.Augmentation"/>) (rotation, shear, scale,
/// translation, each uniform within its bound, drawn per image from the episode's seed, so the same seed gives the same
/// episode); pixels moved in from outside the image are 0 (Omniglot's background). Unlike
/// <see cref="EpisodicSamplerOptions.Rotations"/>, it makes no new classes: it varies the drawings of each class.
/// </summary>
public sealed record ImageAugmentation
{
    /// <summary>The largest rotation either way, in degrees. <value>Default 0. In [0, 180].</value></summary>
    public double Rotation { get => field; init => field = InRange(value, 0, 180, nameof(Rotation), "degrees (e.g. 15)"); }

    /// <summary>The largest shear either way, in degrees. <value>Default 0. In [0, 60].</value></summary>
    public double Shear { get => field; init => field = InRange(value, 0, 60, nameof(Shear), "degrees (e.g. 10)"); }

    /// <summary>The largest relative change of size: images are scaled by a factor in [1 − s, 1 + s]. <value>Default 0. In [0, 0.9].</value></summary>
    public double Scale { get => field; init => field = InRange(value, 0, 0.9, nameof(Scale), "a fraction of the size (e.g. 0.1)"); }

    /// <summary>The largest shift either way along each axis, as a fraction of the image's side. <value>Default 0. In [0, 0.5].</value></summary>
    public double Translation { get => field; init => field = InRange(value, 0, 0.5, nameof(Translation), "a fraction of the side (e.g. 0.1)"); }

    /// <summary>Whether the augmentation changes nothing (every bound 0).</summary>
    public bool IsIdentity => Rotation == 0 && Shear == 0 && Scale == 0 && Translation == 0;

    /// <summary>Distorts each image of <paramref name="images"/> <c>[N, C, H, W]</c> with parameters drawn from <paramref name="random"/>.</summary>
    /// <returns>A new tensor in the current dispose scope.</returns>
    internal Tensor Apply(Tensor images, Random random)
    {
        long n = images.shape[0];
        var theta = new float[n * 6];
        for (long i = 0; i < n; i++)
        {
            double angle = Uniform(random, Rotation) * Math.PI / 180;
            double shear = Math.Tan(Uniform(random, Shear) * Math.PI / 180);
            double scale = 1 + Uniform(random, Scale);
            double dx = Uniform(random, Translation) * 2;
            double dy = Uniform(random, Translation) * 2;

            // The output pixel at (x, y) samples the input at A (x, y) + t, A = rotation · shear / scale (normalised coordinates).
            double cos = Math.Cos(angle) / scale;
            double sin = Math.Sin(angle) / scale;
            theta[(i * 6) + 0] = (float)cos;
            theta[(i * 6) + 1] = (float)((cos * shear) - sin);
            theta[(i * 6) + 2] = (float)dx;
            theta[(i * 6) + 3] = (float)sin;
            theta[(i * 6) + 4] = (float)((sin * shear) + cos);
            theta[(i * 6) + 5] = (float)dy;
        }

        var affine = tensor(theta, new[] { n, 2L, 3L }).to(images.dtype, images.device);
        var grid = F.affine_grid(affine, images.shape, align_corners: false);
        return F.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
    }

    private static double Uniform(Random random, double bound) => bound == 0 ? 0 : ((random.NextDouble() * 2) - 1) * bound;

    private static double InRange(double value, double min, double max, string name, string unit) =>
        OptionChecks.Valid(value, value >= min && value <= max, name, $"{name} must be between {min} and {max}, in {unit}; 0 turns it off.");
}
