using System.Text.Json.Nodes;
using ModelExport;

namespace Serverless.Classifier.LocalHost.Tests;

/// <summary><c>model-export jobs submit --wait</c> against the running local host: progress, summary, the output file.</summary>
[Collection(StorageCollection.Name)]
public sealed class JobsCliTests(LocalHostFixture host, AzuriteFixture storage) : IClassFixture<LocalHostFixture>, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "jobs-wait-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task SubmitWait_FollowsTheJobAndSavesOneOutputLinePerInputLine()
    {
        var file = Write("reviews.jsonl", string.Join("\n", Enumerable.Range(0, 300).Select(i => $"{{\"id\":{i},\"text\":\"{(i % 2 == 0 ? "great value" : "broke in a week")}\"}}")) + "\n");

        var (exitCode, output, error) = await RunAsync(["jobs", "submit", file, "--wait", "--timeout", "180"]);

        Assert.True(exitCode == 0, error);
        var lines = output.TrimEnd('\n').Split('\n');
        var result = JsonNode.Parse(lines[^1])!;
        Assert.Equal("completed", result["state"]!.GetValue<string>());
        var saved = result["savedTo"]!.GetValue<string>();
        Assert.Equal(Path.Combine(_folder, $"reviews.jsonl.{result["jobId"]!.GetValue<string>()}.out.jsonl"), saved);
        Assert.Equal(300, File.ReadLines(saved).Count());
        Assert.Equal(300, result["summary"]!["outputLines"]!.GetValue<int>());
        Assert.Contains("/300 lines", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitWait_RejectedJob_ExitsOneWithTheReason()
    {
        var file = Write("bad-head.jsonl", "{\"id\":1,\"text\":\"fine\"}\n");

        var (exitCode, _, error) = await RunAsync(["jobs", "submit", file, "--head", "topic", "--wait", "--timeout", "120"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("was rejected: head 'topic' does not exist in model", error, StringComparison.Ordinal);
    }

    private string Write(string name, string content)
    {
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await ModelExportCli.RunAsync([.. args, "--connection", storage.ConnectionString, "--queue", host.QueueName], new StringReader(string.Empty), output, error, TestContext.Token);
        return (exitCode, output.ToString(), error.ToString());
    }
}
