namespace Serverless.Classifier.Tests;

/// <summary>A cancellation token for test calls that gives up on a hung call rather than the whole run.</summary>
internal static class TestContext
{
    public static CancellationToken Token => new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token;
}
