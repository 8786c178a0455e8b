using ScottPlot;

namespace MetaClassification;

/// <summary>The training curves as a PNG: meta-training loss (left axis) and validation accuracy with its 95% interval (right axis).</summary>
internal static class Curves
{
    public static void Save(string path, IReadOnlyList<double> losses, IReadOnlyList<(int Iteration, EvaluationResult Result)> validation, string algorithm, double logisticAccuracy)
    {
        var plot = new Plot();
        double[] iterations = Enumerable.Range(1, losses.Count).Select(i => (double)i).ToArray();
        var loss = plot.Add.ScatterLine(iterations, losses.ToArray());
        loss.LegendText = "meta-batch query loss (left axis)";
        loss.LineWidth = 1;

        double[] at = validation.Select(v => (double)v.Iteration).ToArray();
        double[] mean = validation.Select(v => v.Result.MeanAccuracy).ToArray();
        double[] low = validation.Select(v => v.Result.MeanAccuracy - v.Result.AccuracyConfidence95).ToArray();
        double[] high = validation.Select(v => v.Result.MeanAccuracy + v.Result.AccuracyConfidence95).ToArray();
        var band = plot.Add.FillY(at, low, high);
        band.LegendText = "validation accuracy, 95% interval (right axis)";
        band.Axes.YAxis = plot.Axes.Right;
        band.FillColor = Colors.Green.WithAlpha(0.25);
        band.LineWidth = 0;
        var accuracy = plot.Add.Scatter(at, mean, Colors.Green);
        accuracy.LegendText = "validation accuracy (right axis)";
        accuracy.Axes.YAxis = plot.Axes.Right;
        var baseline = plot.Add.HorizontalLine(logisticAccuracy);
        baseline.LegendText = "logistic regression on the evaluation tasks (right axis)";
        baseline.Axes.YAxis = plot.Axes.Right;
        baseline.LinePattern = LinePattern.Dashed;

        plot.Title($"{algorithm}: meta-training on make_classification tasks");
        plot.XLabel("meta-iteration");
        plot.YLabel("query loss (cross-entropy)");
        plot.Axes.Right.Label.Text = "accuracy on validation tasks";
        plot.ShowLegend(Alignment.LowerLeft);

        string full = System.IO.Path.GetFullPath(path);
        string temporary = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!, $".{Guid.NewGuid():N}.png");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        plot.SavePng(temporary, 1000, 600);
        File.Move(temporary, full, overwrite: true);
    }
}
