using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace MetaLearn.Training;

/// <summary>
/// Prepares meta-batches on a background thread, a bounded number ahead of the consumer. Each batch is a pure
/// function of its iteration, so the result is the same as preparing batches in line.
/// </summary>
internal sealed class EpisodePrefetcher : IDisposable
{
    private readonly Channel<DrawnBatch> _channel;
    private readonly CancellationTokenSource _stop;
    private readonly Task _producer;

    public EpisodePrefetcher(Func<int, DrawnBatch> makeBatch, int firstIteration, int endIteration, int capacity, CancellationToken cancellationToken)
    {
        _channel = Channel.CreateBounded<DrawnBatch>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = _stop.Token;
        _producer = Task.Run(
            async () =>
            {
                try
                {
                    for (int i = firstIteration; i < endIteration; i++)
                    {
                        var batch = makeBatch(i);
                        try
                        {
                            await _channel.Writer.WriteAsync(batch, token).ConfigureAwait(false);
                        }
                        catch
                        {
                            batch.Dispose();
                            throw;
                        }
                    }

                    _channel.Writer.TryComplete();
                }
                catch (Exception ex)
                {
                    _channel.Writer.TryComplete(ex);
                }
            },
            CancellationToken.None);
    }

    /// <summary>The next batch; the caller owns it. Rethrows a sampler's exception with its original stack trace.</summary>
    public DrawnBatch Next(CancellationToken cancellationToken)
    {
        try
        {
            return _channel.Reader.ReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException ex) when (ex.InnerException is not null)
        {
            // Rethrown with the stack trace of the background thread where it was thrown (the sampler's frames).
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _producer.Wait();
        }
        catch (AggregateException)
        {
            // The producer reports its failures through the channel.
        }

        while (_channel.Reader.TryRead(out var batch))
        {
            batch.Dispose();
        }

        _stop.Dispose();
    }
}
