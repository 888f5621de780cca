using Microsoft.Extensions.Logging;
using Serverless.Classifier.Diagnostics;

namespace Serverless.Classifier.Inference;

/// <summary>
/// The process's inference queue: one piece of work runs the encoder at a time (its intra-op threads already use the
/// cores). Waiting interactive work goes before batch work, but batch work gets every <see cref="BatchTurnEvery"/>-th
/// turn while both wait, so a job never starves under HTTP load. Interactive work is bounded by the tokens waiting
/// (not by requests: one request of 256 long texts weighs more than 64 short ones) and refused as
/// <see cref="ClassifierErrorKind.Overloaded"/> past the bound; batch work is never refused, it waits. Cancelled
/// waiters leave the queue at once. Refusals are logged at Debug one by one and as one Warning (event 2002) with
/// their count at most every <see cref="ReportInterval"/>, so the log stays small at any load.
/// </summary>
internal sealed class InferenceScheduler
{
    /// <summary>While both classes wait, every this many turns goes to batch work.</summary>
    public const int BatchTurnEvery = 4;

    public static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _interactive = new();
    private readonly LinkedList<Waiter> _batch = new();
    private readonly long _maxQueuedTokens;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private bool _busy;
    private long _queuedTokens;
    private int _interactiveTurns;
    private long _refused;
    private long _lastReport;

    public InferenceScheduler(long maxQueuedTokens, ILogger logger, TimeProvider? time = null)
    {
        _maxQueuedTokens = maxQueuedTokens;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _lastReport = _time.GetTimestamp();
    }

    /// <summary>Interactive tokens waiting (not running).</summary>
    public long QueuedTokens
    {
        get
        {
            lock (_lock)
            {
                return _queuedTokens;
            }
        }
    }

    /// <summary>Work waiting (not running), both classes.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _interactive.Count + _batch.Count;
            }
        }
    }

    /// <summary>Waits for the encoder; dispose the result to hand it on.</summary>
    /// <param name="priority">The work's class.</param>
    /// <param name="tokens">The work's size in tokens, counted against the bound while it waits.</param>
    /// <param name="cancellationToken">Leaves the queue.</param>
    /// <exception cref="ClassifierException">Overloaded: interactive work over the bound.</exception>
    public ValueTask<Turn> EnterAsync(InferencePriority priority, int tokens, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (_lock)
        {
            if (!_busy)
            {
                _busy = true;
                return ValueTask.FromResult(new Turn(this));
            }

            if (priority == InferencePriority.Interactive && _interactive.Count > 0 && _queuedTokens + tokens > _maxQueuedTokens)
            {
                Refuse(tokens);
            }

            waiter = new Waiter(tokens);
            waiter.Node = (priority == InferencePriority.Interactive ? _interactive : _batch).AddLast(waiter);
            if (priority == InferencePriority.Interactive)
            {
                _queuedTokens += tokens;
            }
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(
                static (state, token) =>
                {
                    var (scheduler, w) = ((InferenceScheduler, Waiter))state!;
                    scheduler.Cancel(w, token);
                },
                (this, waiter));
        }

        return new ValueTask<Turn>(waiter.Completion.Task);
    }

    private void Refuse(int tokens)
    {
        var refused = Interlocked.Increment(ref _refused);
        Log.RequestRefused(_logger, tokens, _queuedTokens, _maxQueuedTokens);
        var now = _time.GetTimestamp();
        if (_time.GetElapsedTime(_lastReport, now) >= ReportInterval)
        {
            var seconds = _time.GetElapsedTime(_lastReport, now).TotalSeconds;
            _lastReport = now;
            Interlocked.Exchange(ref _refused, 0);
            Log.Overloaded(_logger, refused, Math.Round(seconds, 1), _queuedTokens, _maxQueuedTokens);
        }

        ClassifierThrow.Overloaded(
            $"The inference queue is full ({_queuedTokens} tokens waiting, limit {_maxQueuedTokens}); retry after the Retry-After delay, or send fewer or shorter texts.");
    }

    private void Cancel(Waiter waiter, CancellationToken token)
    {
        lock (_lock)
        {
            if (waiter.Node?.List is not { } list)
            {
                return; // Already granted.
            }

            list.Remove(waiter.Node);
            if (list == _interactive)
            {
                _queuedTokens -= waiter.Tokens;
            }
        }

        waiter.Completion.TrySetCanceled(token);
    }

    private void Release()
    {
        Waiter? next;
        lock (_lock)
        {
            var batchTurn = _batch.Count > 0 && (_interactive.Count == 0 || _interactiveTurns >= BatchTurnEvery - 1);
            var list = batchTurn ? _batch : _interactive.Count > 0 ? _interactive : null;
            next = list?.First!.Value;
            if (next is null)
            {
                _busy = false;
                return;
            }

            list!.RemoveFirst();
            if (batchTurn)
            {
                _interactiveTurns = 0;
            }
            else
            {
                _queuedTokens -= next.Tokens;
                _interactiveTurns++;
            }
        }

        next.Registration.Dispose();
        if (!next.Completion.TrySetResult(new Turn(this)))
        {
            // Cancelled after leaving the list (cannot happen: Cancel checks the list under the lock); hand on.
            Release();
        }
    }

    /// <summary>The encoder is ours until this is disposed.</summary>
    public sealed class Turn(InferenceScheduler scheduler) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                scheduler.Release();
            }
        }
    }

    private sealed class Waiter(int tokens)
    {
        public int Tokens { get; } = tokens;

        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        public TaskCompletionSource<Turn> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
