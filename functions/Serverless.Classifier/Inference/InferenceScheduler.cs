using Microsoft.Extensions.Logging;
using Serverless.Classifier.Diagnostics;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Inference;

/// <summary>
/// The process's inference queue, with batching across requests. Callers hand in their token ids; one worker thread
/// runs the encoder (its intra-op threads already use the cores) over length-sorted batches packed from the rows of
/// every waiting request under the token and row budgets, and hands each request its own pooled rows. Merging pays
/// because one-text requests at concurrency ran the encoder at batch size 1; a row's pooled vector does not depend on
/// its batch-mates (fp32 kernels compute each row alone; padding is masked), which tests hold within 1e-5.
/// <para>
/// Order: waiting interactive work goes before batch work, but batch work gets every <see cref="BatchTurnEvery"/>-th
/// batch while both wait, so a job never starves under HTTP load. Each batch holds at least the shortest waiting row of
/// the oldest request of its class, so every request advances. Interactive work is bounded by the tokens waiting (not
/// requests: one request of 256 long texts weighs more than 64 short ones) and refused as
/// <see cref="ClassifierErrorKind.Overloaded"/> past the bound; batch work is never refused, it waits. A request that
/// finds the encoder idle waits at most the batch wait for company; a wait of zero turns merging off (a batch then
/// holds rows of one request only). A cancelled request's waiting rows leave the queue at once; its task ends when its
/// rows already running are done, so the model it uses outlives every run. When a merged run fails, each request's rows
/// are run again alone, so one request's failure is not its batch-mates'. Refusals are logged at Debug one by one and
/// as one Warning (event 2002) with their count at most every <see cref="ReportInterval"/>.
/// </para>
/// </summary>
internal sealed class InferenceScheduler : IDisposable
{
    /// <summary>While both classes wait, every this many batches goes to batch work.</summary>
    public const int BatchTurnEvery = 4;

    /// <summary>A batch is packed from the rows of the oldest requests up to this many times the row budget.</summary>
    private const int CandidateRowsPerBatchRow = 8;

    public static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(10);

    // A monitor rather than System.Threading.Lock: the worker waits on it (Monitor.Wait) for work and for company.
    private readonly object _lock = new();
    private readonly LinkedList<Work> _interactive = new();
    private readonly LinkedList<Work> _batch = new();
    private readonly long _maxQueuedTokens;
    private readonly int _maxBatchTokens;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _maxBatchWait;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private Thread? _worker;
    private bool _disposed;
    private long _queuedTokens;
    private int _interactiveTurns;
    private long _refused;
    private long _lastReport;

    public InferenceScheduler(long maxQueuedTokens, int maxBatchTokens, int maxBatchSize, TimeSpan maxBatchWait, ILogger logger, TimeProvider? time = null)
    {
        _maxQueuedTokens = maxQueuedTokens;
        _maxBatchTokens = maxBatchTokens;
        _maxBatchSize = maxBatchSize;
        _maxBatchWait = maxBatchWait;
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

    /// <summary>Requests with rows waiting (not running), both classes.</summary>
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

    /// <summary>Encodes and pools every row, merged with other requests' rows of the same encoder.</summary>
    /// <param name="encoder">The encoder (one model version); only rows of the same encoder share a batch.</param>
    /// <param name="rows">Token ids per row, [CLS] first.</param>
    /// <param name="poolings">The poolings the caller needs.</param>
    /// <param name="priority">The work's class.</param>
    /// <param name="cancellationToken">Takes the waiting rows out of the queue.</param>
    /// <returns>Per pooling, row-major <c>[rows, hidden]</c>, and the time until the first row ran.</returns>
    /// <exception cref="ClassifierException">Overloaded: interactive work over the bound.</exception>
    public Task<PooledRows> PoolAsync(
        IRowEncoder encoder, IReadOnlyList<int[]> rows, IReadOnlyCollection<Pooling> poolings, InferencePriority priority, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(rows);
        cancellationToken.ThrowIfCancellationRequested();
        if (rows.Count == 0)
        {
            return Task.FromResult(new PooledRows(poolings.ToDictionary(p => p, _ => Array.Empty<float>()), 0));
        }

        var work = new Work(encoder, rows, poolings, priority, _time.GetTimestamp());
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (priority == InferencePriority.Interactive && _interactive.Count > 0 && _queuedTokens + work.PendingTokens > _maxQueuedTokens)
            {
                Refuse(work.PendingTokens);
            }

            work.Node = (priority == InferencePriority.Interactive ? _interactive : _batch).AddLast(work);
            if (priority == InferencePriority.Interactive)
            {
                _queuedTokens += work.PendingTokens;
            }

            if (_worker is null)
            {
                _worker = new Thread(RunWorker) { IsBackground = true, Name = "Classifier inference" };
                _worker.Start();
            }

            Monitor.Pulse(_lock);
        }

        if (cancellationToken.CanBeCanceled)
        {
            work.Registration = cancellationToken.UnsafeRegister(
                static (state, token) =>
                {
                    var (scheduler, w) = ((InferenceScheduler, Work))state!;
                    scheduler.Cancel(w, token);
                },
                (this, work));
        }

        return work.Completion.Task;
    }

    /// <summary>Stops the worker after the batch it runs; waiting requests fail as unavailable.</summary>
    public void Dispose()
    {
        List<Work> orphans;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            orphans = [.. _interactive, .. _batch];
            _interactive.Clear();
            _batch.Clear();
            _queuedTokens = 0;
            Monitor.PulseAll(_lock);
        }

        _stopping.Cancel();
        foreach (var work in orphans)
        {
            work.Registration.Dispose();
            work.Completion.TrySetException(new ClassifierException(ClassifierErrorKind.ModelUnavailable, "The classifier is shutting down; retry on another instance."));
        }
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

    private void Cancel(Work work, CancellationToken token)
    {
        lock (_lock)
        {
            if (work.Completion.Task.IsCompleted)
            {
                return;
            }

            Unqueue(work);
            work.Cancelled = token;
            if (work.Running > 0)
            {
                return; // The worker ends it when its running rows are done.
            }
        }

        work.Completion.TrySetCanceled(token);
    }

    /// <summary>Takes a request's waiting rows out of the queue (under the lock).</summary>
    private void Unqueue(Work work)
    {
        if (work.Node?.List is { } list)
        {
            list.Remove(work.Node);
            if (list == _interactive)
            {
                _queuedTokens -= work.PendingTokens;
            }
        }

        work.Pending.Clear();
        work.PendingTokens = 0;
    }

    private void RunWorker()
    {
        while (TakeBatch() is { } batch)
        {
            RunBatch(batch);
        }
    }

    /// <summary>Blocks until a batch is due; null once disposed.</summary>
    private Batch? TakeBatch()
    {
        lock (_lock)
        {
            while (true)
            {
                if (_disposed)
                {
                    return null;
                }

                var batchTurn = _batch.Count > 0 && (_interactive.Count == 0 || _interactiveTurns >= BatchTurnEvery - 1);
                var list = batchTurn ? _batch : _interactive.Count > 0 ? _interactive : null;
                if (list is null)
                {
                    Monitor.Wait(_lock);
                    continue;
                }

                var anchor = list.First!.Value;
                if (_maxBatchWait > TimeSpan.Zero && PendingRows(list, anchor.Encoder) < _maxBatchSize)
                {
                    var waited = _time.GetElapsedTime(anchor.EnqueuedAt);
                    if (waited < _maxBatchWait)
                    {
                        Monitor.Wait(_lock, _maxBatchWait - waited);
                        continue;
                    }
                }

                var batch = Pack(list, anchor);
                if (batchTurn)
                {
                    _interactiveTurns = 0;
                }
                else
                {
                    _interactiveTurns++;
                }

                return batch;
            }
        }
    }

    private static int PendingRows(LinkedList<Work> list, IRowEncoder encoder)
    {
        var rows = 0;
        foreach (var work in list)
        {
            rows += work.Encoder == encoder ? work.Pending.Count : 0;
        }

        return rows;
    }

    /// <summary>Picks the next batch from the oldest requests of <paramref name="list"/> (under the lock): their waiting
    /// rows are packed as the batch planner packs one request's, and the batch holding the oldest request's shortest
    /// waiting row is taken.</summary>
    private Batch Pack(LinkedList<Work> list, Work anchor)
    {
        var candidates = new List<(Work Work, int Row)>();
        for (var node = list.First; node is not null && candidates.Count < _maxBatchSize * CandidateRowsPerBatchRow; node = node.Next)
        {
            var work = node.Value;
            if (work.Encoder == anchor.Encoder && (work == anchor || _maxBatchWait > TimeSpan.Zero))
            {
                candidates.AddRange(work.Pending.Select(row => (work, row)));
            }
        }

        // The anchor's rows come first and are sorted by length, so candidate 0 is its shortest waiting row; the
        // planner sorts stably by length, so the batch holding candidate 0 is well defined.
        var plan = BatchPlanner.Plan([.. candidates.Select(c => c.Work.Rows[c.Row].Length)], _maxBatchTokens, _maxBatchSize);
        var chosen = plan.First(b => b.Contains(0));
        var batch = new Batch(anchor.Encoder, [.. chosen.Select(i => candidates[i])]);
        var now = _time.GetTimestamp();
        foreach (var (work, row) in batch.Rows)
        {
            work.Pending.Remove(row);
            var tokens = work.Rows[row].Length;
            work.PendingTokens -= tokens;
            if (work.Priority == InferencePriority.Interactive)
            {
                _queuedTokens -= tokens;
            }

            work.Running++;
            work.StartedAt ??= now;
        }

        foreach (var work in batch.Works)
        {
            if (work.Pending.Count == 0)
            {
                list.Remove(work.Node!);
            }
        }

        return batch;
    }

    private void RunBatch(Batch batch)
    {
        var poolings = batch.Works.SelectMany(w => w.Poolings).Distinct().ToArray();
        try
        {
            var pooled = batch.Encoder.PoolRows([.. batch.Rows.Select(r => r.Work.Rows[r.Row])], poolings, batch.Works.Count, _stopping.Token);
            Deliver(batch.Rows, pooled, null);
        }
        catch (Exception exception) when (batch.Works.Count > 1 && !_stopping.IsCancellationRequested)
        {
            // Run each request's rows again alone, so only a request whose own rows fail sees the failure.
            Log.MergedBatchFailed(_logger, batch.Works.Count, batch.Rows.Count, exception);
            foreach (var work in batch.Works)
            {
                var rows = batch.Rows.Where(r => r.Work == work).ToArray();
                try
                {
                    Deliver(rows, work.Encoder.PoolRows([.. rows.Select(r => work.Rows[r.Row])], [.. work.Poolings], 1, _stopping.Token), null);
                }
                catch (Exception alone)
                {
                    Deliver(rows, null, alone);
                }
            }

        }
        catch (Exception exception)
        {
            Deliver(batch.Rows, null, exception);
        }
    }

    /// <summary>Copies each row's pooled vectors to its request and completes requests whose last row ran.</summary>
    private void Deliver(IReadOnlyList<(Work Work, int Row)> rows, Dictionary<Pooling, float[]>? pooled, Exception? failure)
    {
        var done = new List<Work>();
        lock (_lock)
        {
            for (var i = 0; i < rows.Count; i++)
            {
                var (work, row) = rows[i];
                work.Running--;
                if (failure is not null && work.Failure is null && work.Cancelled is null)
                {
                    work.Failure = failure;
                    Unqueue(work);
                }

                if (pooled is not null && work.Failure is null && work.Cancelled is null)
                {
                    var hidden = work.Encoder.HiddenSize;
                    foreach (var pooling in work.Poolings)
                    {
                        pooled[pooling].AsSpan(i * hidden, hidden).CopyTo(work.Result[pooling].AsSpan(row * hidden, hidden));
                    }
                }

                if (work.Running == 0 && work.Pending.Count == 0 && !done.Contains(work))
                {
                    done.Add(work);
                }
            }
        }

        foreach (var work in done)
        {
            work.Registration.Dispose();
            if (work.Cancelled is { } token)
            {
                work.Completion.TrySetCanceled(token);
            }
            else if (work.Failure is { } exception)
            {
                work.Completion.TrySetException(exception is OperationCanceledException && _stopping.IsCancellationRequested
                    ? new ClassifierException(ClassifierErrorKind.ModelUnavailable, "The classifier is shutting down; retry on another instance.")
                    : exception);
            }
            else
            {
                var queueMs = _time.GetElapsedTime(work.EnqueuedAt, work.StartedAt!.Value).TotalMilliseconds;
                work.Completion.TrySetResult(new PooledRows(work.Result, queueMs));
            }
        }
    }

    /// <summary>One request's rows: those still waiting (shortest first), those running, and where results go.</summary>
    private sealed class Work
    {
        public Work(IRowEncoder encoder, IReadOnlyList<int[]> rows, IReadOnlyCollection<Pooling> poolings, InferencePriority priority, long enqueuedAt)
        {
            Encoder = encoder;
            Rows = rows;
            Poolings = poolings;
            Priority = priority;
            EnqueuedAt = enqueuedAt;
            Pending = [.. Enumerable.Range(0, rows.Count).OrderBy(i => rows[i].Length).ThenBy(i => i)];
            PendingTokens = rows.Sum(r => r.Length);
            Result = poolings.ToDictionary(p => p, _ => new float[rows.Count * encoder.HiddenSize]);
        }

        public IRowEncoder Encoder { get; }

        public IReadOnlyList<int[]> Rows { get; }

        public IReadOnlyCollection<Pooling> Poolings { get; }

        public InferencePriority Priority { get; }

        public long EnqueuedAt { get; }

        public long? StartedAt { get; set; }

        public List<int> Pending { get; }

        public int PendingTokens { get; set; }

        public int Running { get; set; }

        public Dictionary<Pooling, float[]> Result { get; }

        public CancellationToken? Cancelled { get; set; }

        public Exception? Failure { get; set; }

        public LinkedListNode<Work>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        public TaskCompletionSource<PooledRows> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Batch(IRowEncoder encoder, List<(Work Work, int Row)> rows)
    {
        public IRowEncoder Encoder { get; } = encoder;

        public List<(Work Work, int Row)> Rows { get; } = rows;

        public List<Work> Works { get; } = [.. rows.Select(r => r.Work).Distinct()];
    }
}

/// <summary>One request's pooled rows: per pooling, row-major <c>[rows, hidden]</c>.</summary>
/// <param name="Pooled">The vectors.</param>
/// <param name="QueueMs">Milliseconds from the request's arrival to its first row's run.</param>
internal sealed record PooledRows(Dictionary<Pooling, float[]> Pooled, double QueueMs);

/// <summary>What the scheduler runs: one encoder pass over a batch of rows, pooled.</summary>
internal interface IRowEncoder
{
    /// <summary>The width of a pooled vector.</summary>
    int HiddenSize { get; }

    /// <summary>Runs one batch of rows (already within the budgets) and pools it.</summary>
    /// <param name="rows">Token ids per row.</param>
    /// <param name="poolings">The poolings to compute.</param>
    /// <param name="requestCount">How many requests the rows come from, for logs.</param>
    /// <param name="cancellationToken">Stops a run in progress.</param>
    /// <returns>Per pooling, row-major <c>[rows, hidden]</c>.</returns>
    Dictionary<Pooling, float[]> PoolRows(IReadOnlyList<int[]> rows, IReadOnlyCollection<Pooling> poolings, int requestCount, CancellationToken cancellationToken);
}
