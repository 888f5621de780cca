namespace Serverless.Classifier.Inference;

/// <summary>
/// The process's one bounded inference queue: one request runs the encoder at a time (its intra-op threads already use
/// the cores), up to <c>capacity</c> wait, and any more are refused as <see cref="ClassifierErrorKind.Overloaded"/>
/// rather than queued without bound.
/// </summary>
internal sealed class InferenceGate : IDisposable
{
    private readonly SemaphoreSlim _slot = new(1, 1);
    private readonly int _capacity;
    private int _pending;

    public InferenceGate(int capacity)
    {
        _capacity = capacity;
    }

    /// <summary>Requests running or waiting.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Waits for the encoder; dispose the result to release it. Throws Overloaded when the queue is full.</summary>
    public async Task<Release> EnterAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _pending) > _capacity + 1)
        {
            var waiting = Interlocked.Decrement(ref _pending);
            ClassifierThrow.Overloaded($"The inference queue is full ({waiting} requests running or waiting, limit {_capacity + 1}); retry shortly.");
        }

        try
        {
            await _slot.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Decrement(ref _pending);
            throw;
        }

        return new Release(this);
    }

    public void Dispose() => _slot.Dispose();

    /// <summary>Releases the encoder when disposed.</summary>
    internal readonly struct Release(InferenceGate gate) : IDisposable
    {
        public void Dispose()
        {
            gate._slot.Release();
            Interlocked.Decrement(ref gate._pending);
        }
    }
}
