using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Serverless.Classifier.Inference;

namespace Serverless.Classifier.Tests.Inference;

public sealed class InferenceSchedulerTests
{
    private static InferenceScheduler Create(long maxQueuedTokens, ILogger? logger = null, TimeProvider? time = null) =>
        new(maxQueuedTokens, logger ?? NullLogger.Instance, time);

    [Fact]
    public async Task EnterAsync_InteractiveOverTheTokenBound_ThrowsOverloadedAndBatchStillWaits()
    {
        var scheduler = Create(maxQueuedTokens: 100);
        var running = await scheduler.EnterAsync(InferencePriority.Interactive, 10, TestContext.Token);
        var first = scheduler.EnterAsync(InferencePriority.Interactive, 60, TestContext.Token);

        var exception = await Assert.ThrowsAsync<ClassifierException>(() => scheduler.EnterAsync(InferencePriority.Interactive, 41, TestContext.Token).AsTask());
        var fits = scheduler.EnterAsync(InferencePriority.Interactive, 40, TestContext.Token);
        var batch = scheduler.EnterAsync(InferencePriority.Batch, 100_000, TestContext.Token);

        Assert.Equal(ClassifierErrorKind.Overloaded, exception.Kind);
        Assert.Equal("The inference queue is full (60 tokens waiting, limit 100); retry after the Retry-After delay, or send fewer or shorter texts.", exception.Message);
        Assert.Equal((100, 3), (scheduler.QueuedTokens, scheduler.Waiting));
        Assert.False(first.IsCompleted || fits.IsCompleted || batch.IsCompleted);
        running.Dispose();
        (await first).Dispose();
        (await fits).Dispose();
        (await batch).Dispose();
        Assert.Equal((0, 0), (scheduler.QueuedTokens, scheduler.Waiting));
    }

    [Fact]
    public async Task EnterAsync_OneOversizedRequestWithNothingWaiting_IsAdmitted()
    {
        var scheduler = Create(maxQueuedTokens: 100);
        using var running = await scheduler.EnterAsync(InferencePriority.Interactive, 10, TestContext.Token);

        var huge = scheduler.EnterAsync(InferencePriority.Interactive, 5_000, TestContext.Token).AsTask();

        Assert.False(huge.IsCompleted);
        Assert.Equal(5_000, scheduler.QueuedTokens);
    }

    [Fact]
    public async Task Release_BothClassesWaiting_InteractiveFirstButBatchGetsEveryFourthTurn()
    {
        var scheduler = Create(maxQueuedTokens: 1_000_000);
        var order = new List<string>();
        var running = await scheduler.EnterAsync(InferencePriority.Interactive, 1, TestContext.Token);
        var waiting = new List<Task>();
        waiting.Add(Record(scheduler.EnterAsync(InferencePriority.Batch, 1, TestContext.Token), "b1"));
        waiting.Add(Record(scheduler.EnterAsync(InferencePriority.Batch, 1, TestContext.Token), "b2"));
        for (var i = 1; i <= 7; i++)
        {
            waiting.Add(Record(scheduler.EnterAsync(InferencePriority.Interactive, 1, TestContext.Token), "i" + i));
        }

        running.Dispose();
        await Task.WhenAll(waiting);

        Assert.Equal(["i1", "i2", "i3", "b1", "i4", "i5", "i6", "b2", "i7"], order);

        async Task Record(ValueTask<InferenceScheduler.Turn> turn, string name)
        {
            using var granted = await turn;
            lock (order)
            {
                order.Add(name);
            }
        }
    }

    [Fact]
    public async Task EnterAsync_CancelledWhileWaiting_LeavesTheQueueAndFreesItsTokens()
    {
        var scheduler = Create(maxQueuedTokens: 100);
        var running = await scheduler.EnterAsync(InferencePriority.Interactive, 10, TestContext.Token);
        using var cancellation = new CancellationTokenSource();
        var waiting = scheduler.EnterAsync(InferencePriority.Interactive, 90, cancellation.Token);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.AsTask());
        Assert.Equal((0, 0), (scheduler.QueuedTokens, scheduler.Waiting));
        running.Dispose();
        (await scheduler.EnterAsync(InferencePriority.Interactive, 10, TestContext.Token)).Dispose();
    }

    [Fact]
    public async Task Refusals_AreOneDebugEventEachAndOneWarningWithTheirCountPerInterval()
    {
        using var capture = new LogCapture();
        using var factory = LoggerFactory.Create(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace));
        var time = new FakeTimeProvider();
        var scheduler = Create(maxQueuedTokens: 10, factory.CreateLogger("scheduler"), time);
        using var running = await scheduler.EnterAsync(InferencePriority.Interactive, 1, TestContext.Token);
        var waiting = scheduler.EnterAsync(InferencePriority.Interactive, 10, TestContext.Token).AsTask();

        for (var i = 0; i < 1_000; i++)
        {
            await Assert.ThrowsAsync<ClassifierException>(() => scheduler.EnterAsync(InferencePriority.Interactive, 5, TestContext.Token).AsTask());
        }

        time.Advance(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<ClassifierException>(() => scheduler.EnterAsync(InferencePriority.Interactive, 5, TestContext.Token).AsTask());

        var warning = Assert.Single(capture.Entries, e => e.EventId == 2002);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal("Inference queue full: refused 1001 requests in the last 10 s (10 tokens waiting, limit 10)", warning.Message);
        Assert.Equal(1_001, capture.Entries.Count(e => e.EventId == 2004 && e.Level == LogLevel.Debug));
        Assert.False(waiting.IsCompleted);
    }
}
