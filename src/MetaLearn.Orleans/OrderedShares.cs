using TorchSharp.Modules;

namespace MetaLearn.Distributed;

/// <summary>
/// Sums the tasks' shares in task order, whatever order they arrive in: task t is added once tasks 0..t-1 are, so the
/// sum is the one a single process computes when it runs the meta-batch per episode (its gradient accumulation adds
/// the tasks in that order). Thread-safe.
/// </summary>
internal sealed class OrderedShares : IDisposable
{
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly TaskResult?[] _waiting;
    private readonly Tensor?[] _sums;
    private int _next;
    private double _lossSum;
    private double _accuracySum;

    public OrderedShares(IReadOnlyList<Parameter> parameters, int tasks)
    {
        _parameters = parameters;
        _waiting = new TaskResult?[tasks];
        _sums = new Tensor?[parameters.Count];
    }

    /// <summary>Whether every task has been added.</summary>
    public bool Complete
    {
        get
        {
            lock (_waiting)
            {
                return _next == _waiting.Length;
            }
        }
    }

    /// <summary>Takes one task's result (a second result for the same task is ignored).</summary>
    /// <returns>Whether the result was taken.</returns>
    public bool Add(TaskResult result)
    {
        lock (_waiting)
        {
            if (result.Request.Task < _next || _waiting[result.Request.Task] is not null)
            {
                return false;
            }

            _waiting[result.Request.Task] = result;
            while (_next < _waiting.Length && _waiting[_next] is { } ready)
            {
                Fold(ready);
                _waiting[_next] = null;
                _next++;
            }

            return true;
        }
    }

    /// <summary>
    /// Adds the summed shares to the meta-parameters' <c>grad</c> (the trainer has zeroed them) and returns the meta-batch's
    /// result, its means taken as a single process takes them.
    /// </summary>
    public MetaBatchResult AddToGradients()
    {
        lock (_waiting)
        {
            if (_next != _waiting.Length)
            {
                throw new InvalidOperationException($"Only {_next} of {_waiting.Length} tasks have been summed.");
            }

            for (int i = 0; i < _sums.Length; i++)
            {
                if (_sums[i] is not { } sum)
                {
                    continue;
                }

                var p = _parameters[i];
                using var grad = p.grad;
                using var onDevice = sum.to(p.device);
                if (grad is null)
                {
                    p.grad = onDevice;
                }
                else
                {
                    grad.add_(onDevice);
                }
            }

            int tasks = _waiting.Length;
            return new MetaBatchResult(_lossSum / tasks, _accuracySum / tasks, tasks, false);
        }
    }

    public void Dispose()
    {
        foreach (var s in _sums)
        {
            s?.Dispose();
        }
    }

    private void Fold(TaskResult result)
    {
        _lossSum += result.Loss;
        _accuracySum += result.Accuracy;
        int offset = 0;
        for (int i = 0; i < _parameters.Count; i++)
        {
            if (!result.HasGradient[i])
            {
                continue;
            }

            var share = TensorBytes.Read(result.Gradient, ref offset, _parameters[i]);
            if (_sums[i] is { } sum)
            {
                sum.add_(share);
                share.Dispose();
            }
            else
            {
                _sums[i] = share;
            }
        }
    }
}
