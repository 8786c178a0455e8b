using MathNet.Numerics.LinearAlgebra;

namespace MetaLearn.Evaluation;

/// <summary>
/// Multinomial logistic regression with an L2 penalty (scikit-learn's <c>LogisticRegression()</c> objective), fitted
/// by damped Newton steps in double precision: the few-shot baseline that a meta-learned model must beat.
/// </summary>
internal sealed class LogisticRegression
{
    private readonly double[,] _weights;
    private readonly double[] _intercepts;

    private LogisticRegression(double[,] weights, double[] intercepts, int iterations, double gradientNorm)
    {
        _weights = weights;
        _intercepts = intercepts;
        Iterations = iterations;
        GradientNorm = gradientNorm;
    }

    /// <summary>The number of classes.</summary>
    public int Classes => _intercepts.Length;

    /// <summary>The number of features.</summary>
    public int Features => _weights.GetLength(1);

    /// <summary>Newton iterations the fit ran.</summary>
    public int Iterations { get; }

    /// <summary>The largest absolute entry of the objective's gradient at the fitted weights.</summary>
    public double GradientNorm { get; }

    /// <summary>A copy of the weights, classes by features.</summary>
    public double[,] Weights => (double[,])_weights.Clone();

    /// <summary>A copy of the intercepts, one per class.</summary>
    public IReadOnlyList<double> Intercepts => _intercepts.ToArray();

    /// <summary>Fits the model to labelled rows.</summary>
    /// <param name="features">Rows by features.</param>
    /// <param name="classes">The class of each row, in [0, <paramref name="classCount"/>).</param>
    /// <param name="classCount">The number of classes; at least 2 and at least the largest class + 1.</param>
    /// <param name="options">Penalty and stopping rule; null uses the defaults.</param>
    /// <exception cref="ArgumentException">Counts disagree, a class is out of range, or there are no rows.</exception>
    public static LogisticRegression Fit(float[,] features, IReadOnlyList<long> classes, int classCount, LogisticRegressionOptions? options = null)
    {
        var (n, f) = BaselineChecks.Labelled(features, classes, classCount);
        options ??= new LogisticRegressionOptions();
        int k = classCount;
        int d = f + 1; // weights and the intercept per class
        var x = Matrix<double>.Build.Dense(n, d, (i, j) => j < f ? features[i, j] : 1.0);
        var theta = Vector<double>.Build.Dense(k * d);
        double objective = Objective(x, classes, theta, k, options.C);
        int iteration = 0;
        double gradientNorm = double.PositiveInfinity;
        for (; iteration < options.MaxIterations; iteration++)
        {
            var (gradient, hessian) = GradientAndHessian(x, classes, theta, k, options.C);
            gradientNorm = gradient.AbsoluteMaximum();
            if (gradientNorm < options.Tolerance)
            {
                break;
            }

            // The intercepts are unpenalised and a shift common to all classes changes nothing: a tiny ridge keeps the
            // Hessian positive definite without moving the optimum of the predictions.
            for (int i = 0; i < hessian.RowCount; i++)
            {
                hessian[i, i] += 1e-10;
            }

            var step = hessian.Cholesky().Solve(gradient);
            double scale = 1.0;
            double next = Objective(x, classes, theta - step, k, options.C);
            while (next > objective && scale > 1e-10)
            {
                scale /= 2;
                next = Objective(x, classes, theta - (step * scale), k, options.C);
            }

            theta -= step * scale;
            objective = next;
        }

        gradientNorm = GradientAndHessian(x, classes, theta, k, options.C).Gradient.AbsoluteMaximum();
        var weights = new double[k, f];
        var intercepts = new double[k];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < f; j++)
            {
                weights[c, j] = theta[(c * d) + j];
            }

            intercepts[c] = theta[(c * d) + f];
        }

        return new LogisticRegression(weights, intercepts, iteration, gradientNorm);
    }

    /// <summary>The class probabilities of each row, rows by classes.</summary>
    /// <exception cref="ArgumentException">The rows do not have <see cref="Features"/> columns.</exception>
    public double[,] PredictProbabilities(float[,] features)
    {
        BaselineChecks.Rows(features, Features);
        int n = features.GetLength(0);
        var result = new double[n, Classes];
        var logits = new double[Classes];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < Classes; c++)
            {
                double z = _intercepts[c];
                for (int j = 0; j < Features; j++)
                {
                    z += _weights[c, j] * features[i, j];
                }

                logits[c] = z;
            }

            double max = logits.Max();
            double sum = logits.Sum(z => Math.Exp(z - max));
            for (int c = 0; c < Classes; c++)
            {
                result[i, c] = Math.Exp(logits[c] - max) / sum;
            }
        }

        return result;
    }

    /// <summary>The most probable class of each row.</summary>
    public long[] Predict(float[,] features) => BaselineChecks.ArgMax(PredictProbabilities(features));

    private static Matrix<double> Probabilities(Matrix<double> x, Vector<double> theta, int k)
    {
        int d = x.ColumnCount;
        var w = Matrix<double>.Build.Dense(d, k, (j, c) => theta[(c * d) + j]);
        var logits = x * w;
        for (int i = 0; i < logits.RowCount; i++)
        {
            var row = logits.Row(i);
            double max = row.Maximum();
            var e = row.Map(z => Math.Exp(z - max));
            logits.SetRow(i, e / e.Sum());
        }

        return logits;
    }

    private static double Objective(Matrix<double> x, IReadOnlyList<long> y, Vector<double> theta, int k, double c)
    {
        var p = Probabilities(x, theta, k);
        double loss = 0;
        for (int i = 0; i < x.RowCount; i++)
        {
            loss -= Math.Log(Math.Max(p[i, (int)y[i]], 1e-300));
        }

        return (c * loss) + (0.5 * Penalised(theta, x.ColumnCount, k).DotProduct(theta));
    }

    /// <summary>θ with the intercepts zeroed: the penalised part.</summary>
    private static Vector<double> Penalised(Vector<double> theta, int d, int k)
    {
        var result = theta.Clone();
        for (int c = 0; c < k; c++)
        {
            result[(c * d) + d - 1] = 0;
        }

        return result;
    }

    private static (Vector<double> Gradient, Matrix<double> Hessian) GradientAndHessian(Matrix<double> x, IReadOnlyList<long> y, Vector<double> theta, int k, double c)
    {
        int n = x.RowCount;
        int d = x.ColumnCount;
        var p = Probabilities(x, theta, k);
        var gradient = Penalised(theta, d, k);
        var hessian = Matrix<double>.Build.Dense(k * d, k * d);
        for (int a = 0; a < k; a++)
        {
            for (int j = 0; j < d - 1; j++)
            {
                hessian[(a * d) + j, (a * d) + j] = 1.0;
            }
        }

        for (int i = 0; i < n; i++)
        {
            var xi = x.Row(i);
            for (int a = 0; a < k; a++)
            {
                double residual = p[i, a] - (y[i] == a ? 1.0 : 0.0);
                for (int j = 0; j < d; j++)
                {
                    gradient[(a * d) + j] += c * residual * xi[j];
                }

                for (int b = 0; b < k; b++)
                {
                    double s = c * p[i, a] * ((a == b ? 1.0 : 0.0) - p[i, b]);
                    if (s == 0)
                    {
                        continue;
                    }

                    for (int j = 0; j < d; j++)
                    {
                        double sj = s * xi[j];
                        for (int l = 0; l < d; l++)
                        {
                            hessian[(a * d) + j, (b * d) + l] += sj * xi[l];
                        }
                    }
                }
            }
        }

        return (gradient, hessian);
    }
}
