using System.Diagnostics;

namespace Serverless.Classifier.LocalHost.Tests;

/// <summary>A bad storage setting stops the local host at start with one line naming the setting and the fix.</summary>
[Collection(StorageCollection.Name)]
public sealed class StartupTests(AzuriteFixture storage)
{
    public static TheoryData<string, string> BadSettings => new()
    {
        { "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=not*base64!;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1", "error: Setting 'AzureWebJobsStorage' is not a valid storage connection string" },
        { "this is not a connection string", "error: Setting 'AzureWebJobsStorage' is not a valid storage connection string" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task LocalHost_MalformedConnectionString_ExitsOneWithOneLineNamingTheSetting(string connection, string expected)
    {
        var (exitCode, error) = await RunLocalHostAsync(connection);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expected, line, StringComparison.Ordinal);
        Assert.Contains("UseDevelopmentStorage=true", line, StringComparison.Ordinal);
        Assert.DoesNotContain("not*base64", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalHost_WrongAccountKey_ExitsOneSayingTheConnectionWasRefused()
    {
        // Azurite's own connection string with another (well-formed) key.
        var wrongKey = System.Text.RegularExpressions.Regex.Replace(storage.ConnectionString, "AccountKey=[^;]+", "AccountKey=" + Convert.ToBase64String(new byte[64]));

        var (exitCode, error) = await RunLocalHostAsync(wrongKey);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: Storage connection 'AzureWebJobsStorage' was refused (403", line, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Error)> RunLocalHostAsync(string connection)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Name;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "..", "..", "Serverless.Classifier.LocalHost", configuration, "Serverless.Classifier.LocalHost.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.Environment["AzureWebJobsStorage"] = connection;
        start.Environment["Logging__LogLevel__Default"] = "None";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Token);
        var error = await process.StandardError.ReadToEndAsync(TestContext.Token);
        await process.WaitForExitAsync(TestContext.Token);
        await output;
        return (process.ExitCode, error);
    }
}
