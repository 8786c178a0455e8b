namespace MetaLearn.Models;

/// <summary>
/// The lifetime of a model's native state when adapted models may outlive the model's owner: the owner's
/// <c>Dispose</c> ends the owner's use (the model's public members throw <see cref="ObjectDisposedException"/> from
/// then on), and the state is freed once the owner is done and every hold (one per adapted model) is released.
/// </summary>
internal sealed class SharedLifetime
{
    private readonly object _gate = new();
    private readonly Action _free;
    private int _holds;
    private bool _ownerDone;
    private bool _freed;

    /// <summary>Creates the lifetime of state that <paramref name="free"/> frees (called once, on the last release).</summary>
    public SharedLifetime(Action free) => _free = free;

    /// <summary>Whether the owner has disposed the model.</summary>
    public bool OwnerDisposed
    {
        get
        {
            lock (_gate)
            {
                return _ownerDone;
            }
        }
    }

    /// <summary>Whether the state has been freed (the owner is done and no hold is left).</summary>
    public bool Freed
    {
        get
        {
            lock (_gate)
            {
                return _freed;
            }
        }
    }

    /// <summary>Takes a hold on the state; false when the owner has already disposed the model.</summary>
    public bool TryHold()
    {
        lock (_gate)
        {
            if (_ownerDone)
            {
                return false;
            }

            _holds++;
            return true;
        }
    }

    /// <summary>Gives a hold back; frees the state when it was the last one and the owner is done.</summary>
    public void Release()
    {
        bool free;
        lock (_gate)
        {
            _holds--;
            free = _ownerDone && _holds == 0 && !_freed;
            _freed |= free;
        }

        if (free)
        {
            _free();
        }
    }

    /// <summary>Ends the owner's use (a second call does nothing); frees the state when no hold is left.</summary>
    public void DisposeOwner()
    {
        bool free;
        lock (_gate)
        {
            if (_ownerDone)
            {
                return;
            }

            _ownerDone = true;
            free = _holds == 0;
            _freed |= free;
        }

        if (free)
        {
            _free();
        }
    }
}
