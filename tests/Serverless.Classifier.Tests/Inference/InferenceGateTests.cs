using Serverless.Classifier.Inference;

namespace Serverless.Classifier.Tests.Inference;

public sealed class InferenceGateTests
{
    [Fact]
    public async Task EnterAsync_QueueFull_ThrowsOverloadedAndLaterSucceeds()
    {
        using var gate = new InferenceGate(capacity: 1);
        var running = await gate.EnterAsync(TestContext.Token);
        var waiting = gate.EnterAsync(TestContext.Token);

        var exception = await Assert.ThrowsAsync<ClassifierException>(() => gate.EnterAsync(TestContext.Token));

        Assert.Equal(ClassifierErrorKind.Overloaded, exception.Kind);
        Assert.Contains("inference queue is full (2 requests running or waiting, limit 2)", exception.Message, StringComparison.Ordinal);
        Assert.False(waiting.IsCompleted);
        running.Dispose();
        (await waiting).Dispose();
        Assert.Equal(0, gate.Pending);
        (await gate.EnterAsync(TestContext.Token)).Dispose();
    }

    [Fact]
    public async Task EnterAsync_CancelledWhileWaiting_LeavesNoPendingEntry()
    {
        using var gate = new InferenceGate(capacity: 4);
        var running = await gate.EnterAsync(TestContext.Token);
        using var cancellation = new CancellationTokenSource();
        var waiting = gate.EnterAsync(cancellation.Token);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, gate.Pending);
        running.Dispose();
        Assert.Equal(0, gate.Pending);
    }
}
