using System.Reflection;
using Xunit.Sdk;

namespace Serverless.Classifier.Testing;

/// <summary>
/// One cancellation token per test: created before the test starts, cancelled after two minutes (a hung call fails its
/// test rather than the whole run), disposed after the test. Test assemblies opt in with
/// <c>[assembly: PerTestCancellation]</c>; outside a test the token is <see cref="CancellationToken.None"/>.
/// </summary>
public static class TestContext
{
    private static readonly AsyncLocal<CancellationTokenSource?> Current = new();

    /// <summary>The running test's token.</summary>
    public static CancellationToken Token => Current.Value?.Token ?? CancellationToken.None;

    internal static void Begin() => Current.Value = new CancellationTokenSource(TimeSpan.FromMinutes(2));

    internal static void End()
    {
        Current.Value?.Dispose();
        Current.Value = null;
    }
}

/// <summary>Gives every test its own <see cref="TestContext.Token"/>.</summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method)]
public sealed class PerTestCancellationAttribute : BeforeAfterTestAttribute
{
    /// <inheritdoc />
    public override void Before(MethodInfo methodUnderTest) => TestContext.Begin();

    /// <inheritdoc />
    public override void After(MethodInfo methodUnderTest) => TestContext.End();
}
