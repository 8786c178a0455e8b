using MetaLearn.Algorithms;
using MetaLearn.Evaluation;
using MetaLearn.Sampling;
using Microsoft.Extensions.Logging;

namespace MetaLearn.Training;

/// <summary>
/// Validation and the best state it found: every validation scores the same episodes (seeded from
/// <see cref="MetaTrainerOptions.Seed"/>), and when the score (accuracy, or minus the loss for regression) beats the best
/// so far, copies of the meta-parameters and the model's buffers (running statistics, which predictions read too) are
/// kept, to be restored after training (<see cref="MetaTrainerOptions.RestoreBestParameters"/>) and saved in checkpoints.
/// </summary>
internal sealed partial class BestValidation : IDisposable
{
    private readonly IMetaAlgorithm _algorithm;
    private readonly MetaTrainerOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates an empty best state for <paramref name="algorithm"/>.</summary>
    public BestValidation(IMetaAlgorithm algorithm, MetaTrainerOptions options, ILogger logger)
    {
        _algorithm = algorithm;
        _options = options;
        _logger = logger;
    }

    /// <summary>The best validation score so far (negative infinity before any).</summary>
    public double Score { get; private set; } = double.NegativeInfinity;

    /// <summary>Copies of the meta-parameters at the best validation, or null (owned).</summary>
    public Tensor[]? Parameters { get; private set; }

    /// <summary>Copies of the model's buffers at the best validation, or null (owned).</summary>
    public Tensor[]? Buffers { get; private set; }

    /// <summary>Validates after meta-iteration <paramref name="iteration"/> and keeps the state if it is the best so far.</summary>
    /// <returns>The validation's result, and whether it was the best so far.</returns>
    public (EvaluationResult Result, bool Improved) Validate(ITaskSampler validation, int iteration)
    {
        var result = Evaluator.Evaluate(_algorithm, validation, _options.ValidationEpisodes, Seeds.Derive(_options.Seed, 1, 0), CancellationToken.None);
        LogValidation(iteration, result.MeanLoss, result.MeanAccuracy);
        double score = double.IsNaN(result.MeanAccuracy) ? -result.MeanLoss : result.MeanAccuracy;
        if (score <= Score)
        {
            return (result, false);
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Replace(
            score,
            _algorithm.MetaParameters.Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray(),
            _algorithm.Model.Buffers.Select(b => b.detach().clone().DetachFromDisposeScope()).ToArray());
        return (result, true);
    }

    /// <summary>Copies the kept meta-parameters and buffers back into the algorithm; false when nothing is kept.</summary>
    public bool Restore()
    {
        if (Parameters is null)
        {
            return false;
        }

        using var noGrad = no_grad();
        for (int i = 0; i < Parameters.Length; i++)
        {
            _algorithm.MetaParameters[i].copy_(Parameters[i]);
        }

        var buffers = _algorithm.Model.Buffers;
        for (int i = 0; i < Buffers!.Length; i++)
        {
            buffers[i].copy_(Buffers[i]);
        }

        return true;
    }

    /// <summary>Replaces the best state (e.g. with a checkpoint's), taking ownership of the tensors.</summary>
    public void Replace(double score, Tensor[]? parameters, Tensor[]? buffers)
    {
        Clear();
        Score = score;
        Parameters = parameters;
        Buffers = parameters is null ? null : buffers ?? Array.Empty<Tensor>();
    }

    /// <inheritdoc />
    public void Dispose() => Clear();

    /// <summary>Frees the kept tensors.</summary>
    private void Clear()
    {
        foreach (var t in (Parameters ?? Array.Empty<Tensor>()).Concat(Buffers ?? Array.Empty<Tensor>()))
        {
            t.Dispose();
        }

        Parameters = null;
        Buffers = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Iteration {Iteration}: validation loss {Loss:F4}, accuracy {Accuracy:P2}")]
    private partial void LogValidation(int iteration, double loss, double accuracy);
}
