using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Serverless.Classifier.LocalHost.Tests;

/// <summary>An Azurite that dies under the tests is reported when its fixture ends, not only as connection errors.</summary>
public sealed class AzuriteFixtureTests
{
    [Fact]
    public async Task Dispose_AzuriteDiedDuringTheTests_FailsWithItsExitCodeAndFreeSpace()
    {
        if (Environment.GetEnvironmentVariable("SERVERLESS_TEST_STORAGE") is { Length: > 0 })
        {
            return; // external storage: the fixture starts no Azurite of its own
        }

        var fixture = new AzuriteFixture();
        await fixture.InitializeAsync();
        var blobPort = Regex.Match(fixture.ConnectionString, @"BlobEndpoint=http://127\.0\.0\.1:(\d+)/").Groups[1].Value;
        using (var node = NodeListeningOn(blobPort))
        {
            node.Kill();
            await node.WaitForExitAsync(TestContext.Token);
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(fixture.DisposeAsync);

        Assert.Matches(@"^Azurite exited \(code \d+\) before the tests ended, so the storage calls after that failed; \d+ MiB free in ", error.Message);
    }

    [Fact]
    public async Task Dispose_AzuriteStillRunning_Succeeds()
    {
        var fixture = new AzuriteFixture();
        await fixture.InitializeAsync();

        await fixture.DisposeAsync();
    }

    /// <summary>The node process whose command line names this blob port (Linux: /proc/PID/cmdline, NUL-separated).</summary>
    private static Process NodeListeningOn(string blobPort)
    {
        var nodes = Process.GetProcessesByName("node");
        var azurite = nodes.Single(p =>
        {
            try
            {
                return File.ReadAllText($"/proc/{p.Id}/cmdline").Contains($"--blobPort\0{blobPort}\0", StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
        });
        foreach (var other in nodes.Where(p => p != azurite))
        {
            other.Dispose();
        }

        return azurite;
    }
}
