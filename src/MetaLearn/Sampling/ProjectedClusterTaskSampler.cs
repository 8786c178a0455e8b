using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using MetaLearn.Datasets;

namespace MetaLearn.Sampling;

/// <summary>
/// Clustering tasks that are separable only in a task-independent projection: a point is
/// R · [c + ClusterStd·e; NoiseStd·n] with task-specific, well-separated centers c in a 2-D plane, standard normal e
/// and n, and a fixed random rotation R (from <see cref="ProjectedClusterTaskOptions.StructureSeed"/>). The noise
/// directions dominate raw Euclidean distances, so k-means on the inputs fails while k-means on
/// <see cref="Projection"/> · x succeeds: an embedding meta-learned across tasks can find the plane.
/// Support and query sets are labelled by cluster, 0..Ways-1, class-major.
/// </summary>
internal sealed class ProjectedClusterTaskSampler : TaskSampler<ProjectedClusterTaskOptions>
{
    private readonly double[] _rotation;

    /// <summary>Creates the sampler and its fixed rotation; the options are validated here.</summary>
    /// <exception cref="ArgumentException">The options break <see cref="ProjectedClusterTaskOptions.Validate"/>.</exception>
    public ProjectedClusterTaskSampler(ProjectedClusterTaskOptions? options = null)
        : base(options ?? new ProjectedClusterTaskOptions())
    {
        AllocationSize.Episode("projected cluster", Options.Ways, Options.Shots, Options.Queries, Options.Dimensions);
        AllocationSize.Elements("The projected cluster sampler's rotation", sizeof(double), true, "lower Dimensions.", ("Dimensions", Options.Dimensions), ("Dimensions", Options.Dimensions));
        int d = Options.Dimensions;
        var gaussian = Matrix<double>.Build.Random(d, d, new Normal(0, 1, SyntheticRandom.Create(Options.StructureSeed)));
        var q = gaussian.QR().Q;
        _rotation = q.ToRowMajorArray();
    }

    /// <summary>The true projection onto the structured plane: a 2 x Dimensions matrix with orthonormal rows (a copy).</summary>
    public Matrix<double> Projection
    {
        get
        {
            int d = Options.Dimensions;
            return Matrix<double>.Build.Dense(2, d, (r, j) => _rotation[(j * d) + r]);
        }
    }

    /// <summary>Projects one input onto the structured plane.</summary>
    public (double X, double Y) Project(ReadOnlySpan<float> input)
    {
        int d = Options.Dimensions;
        if (input.Length != d)
        {
            throw new ArgumentException($"An input has {d} coordinates, got {input.Length}.", nameof(input));
        }

        double x = 0;
        double y = 0;
        for (int j = 0; j < d; j++)
        {
            x += _rotation[(j * d) + 0] * input[j];
            y += _rotation[(j * d) + 1] * input[j];
        }

        return (x, y);
    }

    /// <inheritdoc />
    public override Episode Sample(int seed)
    {
        var o = Options;
        var random = SyntheticRandom.Create(Seeds.Derive(seed, 0, 0));
        var centers = DrawCenters(random);
        var latent = new double[o.Dimensions];
        float[] Draw(int perClass, out long[] labels)
        {
            int d = o.Dimensions;
            var x = new float[o.Ways * perClass * d];
            labels = new long[o.Ways * perClass];
            for (int c = 0; c < o.Ways; c++)
            {
                for (int k = 0; k < perClass; k++)
                {
                    int row = (c * perClass) + k;
                    labels[row] = c;
                    Normal.Samples(random, latent, 0, 1);
                    latent[0] = centers[c].X + (o.ClusterStd * latent[0]);
                    latent[1] = centers[c].Y + (o.ClusterStd * latent[1]);
                    for (int j = 2; j < d; j++)
                    {
                        latent[j] *= o.NoiseStd;
                    }

                    var target = x.AsSpan(row * d, d);
                    for (int i = 0; i < d; i++)
                    {
                        double s = 0;
                        var r = _rotation.AsSpan(i * d, d);
                        for (int j = 0; j < d; j++)
                        {
                            s += r[j] * latent[j];
                        }

                        target[i] = (float)s;
                    }
                }
            }

            return x;
        }

        var xs = Draw(o.Shots, out var ys);
        var xq = Draw(o.Queries, out var yq);
        using var scope = NewDisposeScope();
        return new Episode(
            tensor(xs, new long[] { ys.Length, o.Dimensions }),
            tensor(ys),
            tensor(xq, new long[] { yq.Length, o.Dimensions }),
            tensor(yq),
            new EpisodeInfo(o.Ways, o.Shots, o.Queries, seed, TaskKind.Classification));
    }

    private (double X, double Y)[] DrawCenters(Random random)
    {
        var o = Options;
        var centers = new (double X, double Y)[o.Ways];
        double minSquared = o.MinCenterDistance * o.MinCenterDistance;
        for (int attempt = 0; ; attempt++)
        {
            for (int c = 0; c < o.Ways; c++)
            {
                centers[c] = (random.Uniform(-o.CenterBox, o.CenterBox), random.Uniform(-o.CenterBox, o.CenterBox));
            }

            bool separated = true;
            for (int a = 0; a < o.Ways && separated; a++)
            {
                for (int b = a + 1; b < o.Ways && separated; b++)
                {
                    double dx = centers[a].X - centers[b].X;
                    double dy = centers[a].Y - centers[b].Y;
                    separated = (dx * dx) + (dy * dy) >= minSquared;
                }
            }

            if (separated)
            {
                return centers;
            }

            if (attempt > 10_000)
            {
                throw new InvalidOperationException(
                    $"Could not place {o.Ways} centers {o.MinCenterDistance} apart in [-{o.CenterBox}, {o.CenterBox}]² after 10000 attempts: raise CenterBox or lower MinCenterDistance.");
            }
        }
    }
}
