using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Serverless.Classifier.Inference;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Tests.Inference;

public sealed class InferenceSchedulerTests
{
    private static readonly Pooling[] Cls = [Pooling.Cls];

    private static InferenceScheduler Create(
        long maxQueuedTokens = 1_000_000, int maxBatchTokens = 4096, int maxBatchSize = 32, int waitMs = 0, ILogger? logger = null, TimeProvider? time = null) =>
        new(maxQueuedTokens, maxBatchTokens, maxBatchSize, TimeSpan.FromMilliseconds(waitMs), logger ?? NullLogger.Instance, time);

    private static int[] Row(int id, int length) => [id, .. Enumerable.Repeat(7, length - 1)];

    private static float[] Floats(params float[] values) => values;

    [Fact]
    public async Task PoolAsync_RequestsWaitingTogether_ShareOneLengthSortedBatchAndEachGetsItsOwnRows()
    {
        using var encoder = new FakeEncoder();
        using var scheduler = Create(waitMs: 1);
        var blocker = scheduler.PoolAsync(encoder, [Row(1, 3)], Cls, InferencePriority.Interactive, TestContext.Token);
        encoder.WaitUntilRunning(1);

        var a = scheduler.PoolAsync(encoder, [Row(10, 5), Row(11, 2)], Cls, InferencePriority.Interactive, TestContext.Token);
        var b = scheduler.PoolAsync(encoder, [Row(20, 4)], Cls, InferencePriority.Interactive, TestContext.Token);
        var c = scheduler.PoolAsync(encoder, [Row(30, 1)], Cls, InferencePriority.Batch, TestContext.Token);
        encoder.Release();

        Assert.Equal(Floats(1, 3), (await blocker).Pooled[Pooling.Cls]);
        Assert.Equal(Floats(10, 5, 11, 2), (await a).Pooled[Pooling.Cls]);
        Assert.Equal(Floats(20, 4), (await b).Pooled[Pooling.Cls]);
        Assert.Equal(Floats(30, 1), (await c).Pooled[Pooling.Cls]);
        // The interactive requests' rows ran as one batch, shortest first; the job's row had the next turn.
        Assert.Equal([[1], [11, 20, 10], [30]], encoder.Batches);
    }

    [Fact]
    public async Task PoolAsync_WaitZero_NeverMergesRequests()
    {
        using var encoder = new FakeEncoder();
        using var scheduler = Create(waitMs: 0);
        var blocker = scheduler.PoolAsync(encoder, [Row(1, 3)], Cls, InferencePriority.Interactive, TestContext.Token);
        encoder.WaitUntilRunning(1);

        var a = scheduler.PoolAsync(encoder, [Row(10, 5), Row(11, 2)], Cls, InferencePriority.Interactive, TestContext.Token);
        var b = scheduler.PoolAsync(encoder, [Row(20, 4)], Cls, InferencePriority.Interactive, TestContext.Token);
        encoder.Release();
        await Task.WhenAll(blocker, a, b);

        Assert.Equal([[1], [11, 10], [20]], encoder.Batches);
    }

    [Fact]
    public async Task PoolAsync_DifferentEncoders_NeverShareABatch()
    {
        using var first = new FakeEncoder();
        using var second = new FakeEncoder();
        using var scheduler = Create(waitMs: 1);
        var blocker = scheduler.PoolAsync(first, [Row(1, 3)], Cls, InferencePriority.Interactive, TestContext.Token);
        first.WaitUntilRunning(1);

        var a = scheduler.PoolAsync(second, [Row(10, 2)], Cls, InferencePriority.Interactive, TestContext.Token);
        var b = scheduler.PoolAsync(first, [Row(20, 2)], Cls, InferencePriority.Interactive, TestContext.Token);
        first.Release();
        second.Release();
        await Task.WhenAll(blocker, a, b);

        Assert.Equal([[1], [20]], first.Batches);
        Assert.Equal([[10]], second.Batches);
    }

    [Fact]
    public async Task PoolAsync_OverTheRowAndTokenBudgets_SplitsIntoBatchesUnderBoth()
    {
        using var encoder = new FakeEncoder();
        encoder.Release();
        using var scheduler = Create(maxBatchTokens: 10, maxBatchSize: 3);

        var result = await scheduler.PoolAsync(encoder, [Row(1, 2), Row(2, 2), Row(3, 2), Row(4, 2), Row(5, 4), Row(6, 4), Row(7, 9)], Cls, InferencePriority.Batch, TestContext.Token);

        Assert.Equal([[1, 2, 3], [4, 5], [6], [7]], encoder.Batches);
        Assert.Equal([1, 2, 2, 2, 3, 2, 4, 2, 5, 4, 6, 4, 7, 9], result.Pooled[Pooling.Cls]);
    }

    [Fact]
    public async Task PoolAsync_InteractiveOverTheTokenBound_ThrowsOverloadedAndBatchStillWaits()
    {
        using var encoder = new FakeEncoder();
        using var scheduler = Create(maxQueuedTokens: 100);
        var running = scheduler.PoolAsync(encoder, [Row(1, 10)], Cls, InferencePriority.Interactive, TestContext.Token);
        encoder.WaitUntilRunning(1);
        var first = scheduler.PoolAsync(encoder, [Row(2, 60)], Cls, InferencePriority.Interactive, TestContext.Token);

        var exception = await Assert.ThrowsAsync<ClassifierException>(() => scheduler.PoolAsync(encoder, [Row(3, 41)], Cls, InferencePriority.Interactive, TestContext.Token));
        var fits = scheduler.PoolAsync(encoder, [Row(4, 40)], Cls, InferencePriority.Interactive, TestContext.Token);
        var batch = scheduler.PoolAsync(encoder, [Row(5, 100_000)], Cls, InferencePriority.Batch, TestContext.Token);

        Assert.Equal(ClassifierErrorKind.Overloaded, exception.Kind);
        Assert.Equal("The inference queue is full (60 tokens waiting, limit 100); retry after the Retry-After delay, or send fewer or shorter texts.", exception.Message);
        Assert.Equal((100, 3), (scheduler.QueuedTokens, scheduler.Waiting));
        Assert.False(first.IsCompleted || fits.IsCompleted || batch.IsCompleted);
        encoder.Release();
        await Task.WhenAll(running, first, fits, batch);
        Assert.Equal((0, 0), (scheduler.QueuedTokens, scheduler.Waiting));
    }

    [Fact]
    public async Task PoolAsync_OneOversizedRequestWithNothingWaiting_IsAdmitted()
    {
        using var encoder = new FakeEncoder();
        using var scheduler = Create(maxQueuedTokens: 100);
        var running = scheduler.PoolAsync(encoder, [Row(1, 10)], Cls, InferencePriority.Interactive, TestContext.Token);
        encoder.WaitUntilRunning(1);

        var huge = scheduler.PoolAsync(encoder, [.. Enumerable.Range(0, 10).Select(i => Row(i, 500))], Cls, InferencePriority.Interactive, TestContext.Token);

        Assert.False(huge.IsCompleted);
        Assert.Equal(5_000, scheduler.QueuedTokens);
        encoder.Release();
        await Task.WhenAll(running, huge);
    }

    [Fact]
    public async Task Batches_BothClassesWaiting_InteractiveFirstButBatchGetsEveryFourthTurn()
    {
        using var encoder = new FakeEncoder();
        using var scheduler = Create(maxBatchSize: 1);
        var running = scheduler.PoolAsync(encoder, [Row(0, 1)], Cls, InferencePriority.Interactive, TestContext.Token);
        encoder.WaitUntilRunning(1);
        var waiting = new List<Task>
        {
            scheduler.PoolAsync(encoder, [Row(101, 1)], Cls, InferencePriority.Batch, TestContext.Token),
            scheduler.PoolAsync(encoder, [Row(102, 1)], Cls, InferencePriority.Batch, TestContext.Token),
        };
        for (var i = 1; i <= 7; i++)
        {
            waiting.Add(scheduler.PoolAsync(encoder, [Row(i, 1)], Cls, InferencePriority.Interactive, TestContext.Token));
        }

        encoder.Release();
        await Task.WhenAll([running, .. waiting]);

        Assert.Equal([0, 1, 2, 101, 3, 4, 5, 102, 6, 7], encoder.Batches.Select(b => Assert.Single(b)));
    }

    [Fact]
    public async Task Batches_ANewerShorterStreamNeverStarvesTheOldestRequest()
    {
        using var encoder = new FakeEncoder();
        using var scheduler = Create(maxBatchTokens: 8, maxBatchSize: 4, waitMs: 1);
        var running = scheduler.PoolAsync(encoder, [Row(0, 1)], Cls, InferencePriority.Interactive, TestContext.Token);
        encoder.WaitUntilRunning(1);
        var longOne = scheduler.PoolAsync(encoder, [Row(1, 8)], Cls, InferencePriority.Interactive, TestContext.Token);
        var shortOnes = Enumerable.Range(10, 8).Select(i => scheduler.PoolAsync(encoder, [Row(i, 2)], Cls, InferencePriority.Interactive, TestContext.Token)).ToList();

        encoder.Release();
        await Task.WhenAll([running, longOne, .. shortOnes]);

        // Shortest-first packing alone would run the eight short rows first; the oldest request's row goes next.
        Assert.Equal([1], encoder.Batches[1]);
    }

    [Fact]
    public async Task PoolAsync_CancelledWhileWaiting_LeavesTheQueueAndFreesItsTokens()
    {
        using var encoder = new FakeEncoder();
        using var scheduler = Create(maxQueuedTokens: 100);
        var running = scheduler.PoolAsync(encoder, [Row(1, 10)], Cls, InferencePriority.Interactive, TestContext.Token);
        encoder.WaitUntilRunning(1);
        using var cancellation = new CancellationTokenSource();
        var waiting = scheduler.PoolAsync(encoder, [Row(2, 90)], Cls, InferencePriority.Interactive, cancellation.Token);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal((0, 0), (scheduler.QueuedTokens, scheduler.Waiting));
        encoder.Release();
        await running;
        await scheduler.PoolAsync(encoder, [Row(3, 10)], Cls, InferencePriority.Interactive, TestContext.Token);
        Assert.Equal([[1], [3]], encoder.Batches);
    }

    [Fact]
    public async Task PoolAsync_CancelledWhileItsRowsRun_EndsOnlyOnceTheRunIsDone()
    {
        using var encoder = new FakeEncoder();
        using var scheduler = Create(maxBatchSize: 1);
        using var cancellation = new CancellationTokenSource();
        var running = scheduler.PoolAsync(encoder, [Row(1, 2), Row(2, 3)], Cls, InferencePriority.Interactive, cancellation.Token);
        encoder.WaitUntilRunning(1);

        await cancellation.CancelAsync();
        await Task.Delay(50, TestContext.Token);

        // The caller holds the model until its running rows are done; its waiting row never runs.
        Assert.False(running.IsCompleted);
        encoder.Release();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal([[1]], encoder.Batches);
    }

    [Fact]
    public async Task PoolAsync_AMergedBatchFails_OnlyTheRequestWhoseRowsFailAloneSeesIt()
    {
        using var capture = new LogCapture();
        using var factory = LoggerFactory.Create(b => b.AddProvider(capture));
        using var encoder = new FakeEncoder { FailOnId = 66 };
        using var scheduler = Create(waitMs: 1, logger: factory.CreateLogger("scheduler"));
        var blocker = scheduler.PoolAsync(encoder, [Row(1, 3)], Cls, InferencePriority.Interactive, TestContext.Token);
        encoder.WaitUntilRunning(1);

        var healthy = scheduler.PoolAsync(encoder, [Row(10, 2)], Cls, InferencePriority.Interactive, TestContext.Token);
        var poisoned = scheduler.PoolAsync(encoder, [Row(66, 2), Row(67, 3)], Cls, InferencePriority.Interactive, TestContext.Token);
        encoder.Release();

        Assert.Equal(Floats(10, 2), (await healthy).Pooled[Pooling.Cls]);
        var exception = await Assert.ThrowsAsync<ClassifierException>(() => poisoned);
        Assert.Equal(ClassifierErrorKind.InferenceFailed, exception.Kind);
        Assert.Equal([[1], [10, 66, 67], [10], [66, 67]], encoder.Batches);
        Assert.Single(capture.Entries, e => e.EventId == 2005 && e.Level == LogLevel.Warning);
        await blocker;
    }

    [Fact]
    public async Task Dispose_WaitingRequestsFailAsUnavailableAndLaterOnesAreRefused()
    {
        using var encoder = new FakeEncoder();
        var scheduler = Create();
        var running = scheduler.PoolAsync(encoder, [Row(1, 2)], Cls, InferencePriority.Interactive, TestContext.Token);
        encoder.WaitUntilRunning(1);
        var waiting = scheduler.PoolAsync(encoder, [Row(2, 2)], Cls, InferencePriority.Batch, TestContext.Token);

        scheduler.Dispose();

        Assert.Equal(ClassifierErrorKind.ModelUnavailable, (await Assert.ThrowsAsync<ClassifierException>(() => waiting)).Kind);
        Assert.Equal(ClassifierErrorKind.ModelUnavailable, (await Assert.ThrowsAsync<ClassifierException>(() => running)).Kind);
        Assert.Throws<ObjectDisposedException>(() => { _ = scheduler.PoolAsync(encoder, [Row(3, 2)], Cls, InferencePriority.Batch, TestContext.Token); });
    }

    [Fact]
    public async Task Refusals_AreOneDebugEventEachAndOneWarningWithTheirCountPerInterval()
    {
        using var capture = new LogCapture();
        using var factory = LoggerFactory.Create(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace));
        var time = new FakeTimeProvider();
        using var encoder = new FakeEncoder();
        using var scheduler = Create(maxQueuedTokens: 10, logger: factory.CreateLogger("scheduler"), time: time);
        var running = scheduler.PoolAsync(encoder, [Row(1, 1)], Cls, InferencePriority.Interactive, TestContext.Token);
        encoder.WaitUntilRunning(1);
        var waiting = scheduler.PoolAsync(encoder, [Row(2, 10)], Cls, InferencePriority.Interactive, TestContext.Token);

        for (var i = 0; i < 1_000; i++)
        {
            await Assert.ThrowsAsync<ClassifierException>(() => scheduler.PoolAsync(encoder, [Row(3, 5)], Cls, InferencePriority.Interactive, TestContext.Token));
        }

        time.Advance(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<ClassifierException>(() => scheduler.PoolAsync(encoder, [Row(3, 5)], Cls, InferencePriority.Interactive, TestContext.Token));

        var warning = Assert.Single(capture.Entries, e => e.EventId == 2002);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal("Inference queue full: refused 1001 requests in the last 10 s (10 tokens waiting, limit 10)", warning.Message);
        Assert.Equal(1_001, capture.Entries.Count(e => e.EventId == 2004 && e.Level == LogLevel.Debug));
        Assert.False(waiting.IsCompleted);
        encoder.Release();
        await Task.WhenAll(running, waiting);
    }

    /// <summary>Pools a row to [its first id, its length]; blocks every run until released (or cancelled); records each batch's first ids.</summary>
    private sealed class FakeEncoder : IRowEncoder, IDisposable
    {
        private readonly ManualResetEventSlim _gate = new();
        private readonly SemaphoreSlim _runs = new(0);

        public int? FailOnId { get; init; }

        public List<int[]> Batches { get; } = [];

        public int HiddenSize => 2;

        public void Release() => _gate.Set();

        public void WaitUntilRunning(int runs)
        {
            for (var i = 0; i < runs; i++)
            {
                Assert.True(_runs.Wait(TimeSpan.FromSeconds(10), TestContext.Token), "the encoder was never run");
            }
        }

        public Dictionary<Pooling, float[]> PoolRows(IReadOnlyList<int[]> rows, IReadOnlyCollection<Pooling> poolings, int requestCount, CancellationToken cancellationToken)
        {
            lock (Batches)
            {
                Batches.Add([.. rows.Select(r => r[0])]);
            }

            _runs.Release();
            _gate.Wait(cancellationToken);
            if (rows.Any(r => r[0] == FailOnId))
            {
                throw new ClassifierException(ClassifierErrorKind.InferenceFailed, "the row failed");
            }

            return poolings.ToDictionary(p => p, _ => rows.SelectMany(r => new float[] { r[0], r.Length }).ToArray());
        }

        public void Dispose()
        {
            _gate.Dispose();
            _runs.Dispose();
        }
    }
}
