using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Serverless.Classifier.Hosting.Jobs;

namespace ModelExport.Tests;

/// <summary><c>jobs submit</c> writes the documented message, which the service's own parser accepts; status and cancel find the job.</summary>
[Collection(StorageCollection.Name)]
public sealed class JobsCommandTests(AzuriteFixture storage) : IDisposable
{
    private readonly string _queue = "cli-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "jobs-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Submit_WritesAMessageTheServiceParsesAndUploadsTheInput()
    {
        var file = await WriteInputAsync("My Reviews.csv", "review,body\nr1,great\nr2,awful\n\n");
        var queue = new QueueClient(storage.ConnectionString, _queue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync(cancellationToken: TestContext.Token);

        var (exitCode, output, error) = await CliRunner.RunAsync(
            ["jobs", "submit", file, "--connection", storage.ConnectionString, "--queue", _queue, "--head", "sentiment", "--id-field", "review", "--text-field", "body", "--truncation-direction", "left"]);

        Assert.True(exitCode == 0, error);
        var submitted = JsonNode.Parse(output)!;
        var jobId = submitted["jobId"]!.GetValue<string>();
        Assert.Matches("^my-reviews-[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$", jobId);
        Assert.Equal(2, submitted["lines"]!.GetValue<int>());
        var queued = (await queue.ReceiveMessageAsync(cancellationToken: TestContext.Token)).Value;
        var message = ClassifyJobMessage.Parse(ClassifyJobMessage.Decode(queued.Body.ToString()), new JobOptions());
        Assert.Equal("left", message.TruncationDirection);
        Assert.Equal(
            ($"inputs/{jobId}/My Reviews.csv", $"outputs/My Reviews.csv.{jobId}.out.jsonl", "sentiment", null, "review", "body", jobId, "csv"),
            (message.Input, message.Output, message.Head, message.Format, message.IdField, message.TextField, message.JobId, message.ResolvedFormat));
        var blobs = new BlobServiceClient(storage.ConnectionString);
        var uploaded = (await blobs.GetBlobContainerClient("inputs").GetBlobClient($"{jobId}/My Reviews.csv").DownloadContentAsync(TestContext.Token)).Value.Content.ToString();
        Assert.Equal(await File.ReadAllTextAsync(file, TestContext.Token), uploaded);
    }

    [Fact]
    public async Task Submit_PairFieldAndChunking_AreMessageFieldsTheServiceParses()
    {
        var pairs = await WriteInputAsync("pairs.jsonl", "{\"id\":1,\"premise\":\"a\",\"hypothesis\":\"b\"}\n");
        var documents = await WriteInputAsync("documents.jsonl", "{\"id\":1,\"text\":\"a\"}\n");
        var queue = new QueueClient(storage.ConnectionString, _queue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync(cancellationToken: TestContext.Token);

        var (pairExit, _, pairError) = await CliRunner.RunAsync(
            ["jobs", "submit", pairs, "--connection", storage.ConnectionString, "--queue", _queue, "--text-field", "premise", "--pair-field", "hypothesis"]);
        var (chunkExit, _, chunkError) = await CliRunner.RunAsync(
            ["jobs", "submit", documents, "--connection", storage.ConnectionString, "--queue", _queue, "--chunking", "--chunk-size", "128", "--chunk-stride", "16", "--chunk-aggregate", "max"]);

        Assert.True(pairExit == 0, pairError);
        Assert.True(chunkExit == 0, chunkError);
        var messages = (await queue.ReceiveMessagesAsync(2, cancellationToken: TestContext.Token)).Value
            .Select(m => ClassifyJobMessage.Parse(ClassifyJobMessage.Decode(m.Body.ToString()), new JobOptions())).ToList();
        var pair = Assert.Single(messages, m => m.PairField is not null);
        var chunked = Assert.Single(messages, m => m.Chunking is not null);
        Assert.Equal(("premise", "hypothesis", null), (pair.TextField, pair.PairField, pair.Chunking));
        Assert.Equal(new Serverless.Classifier.Chunking { Size = 128, Stride = 16, Aggregate = Serverless.Classifier.ChunkAggregate.Max }, chunked.Chunking);
    }

    [Fact]
    public async Task StatusAndCancel_FindTheJobByIdAndUnknownIdsAreAClearError()
    {
        var file = await WriteInputAsync("lines.txt", "one\ntwo\n");
        await new QueueClient(storage.ConnectionString, _queue).CreateIfNotExistsAsync(cancellationToken: TestContext.Token);
        var (_, output, _) = await CliRunner.RunAsync(["jobs", "submit", file, "--connection", storage.ConnectionString, "--queue", _queue]);
        var jobId = JsonNode.Parse(output)!["jobId"]!.GetValue<string>();

        var (statusExit, status, _) = await CliRunner.RunAsync(["jobs", "status", jobId, "--connection", storage.ConnectionString, "--queue", _queue]);
        var (cancelExit, cancel, _) = await CliRunner.RunAsync(["jobs", "cancel", jobId, "--connection", storage.ConnectionString, "--queue", _queue]);
        var (missingExit, _, missing) = await CliRunner.RunAsync(["jobs", "status", "no-such-job", "--connection", storage.ConnectionString, "--queue", _queue]);

        Assert.Equal((0, 0, 1), (statusExit, cancelExit, missingExit));
        Assert.Equal("queued", JsonNode.Parse(status)!["state"]!.GetValue<string>());
        Assert.True(JsonNode.Parse(cancel)!["cancelRequested"]!.GetValue<bool>());
        Assert.True(await new BlobServiceClient(storage.ConnectionString).GetBlobContainerClient("outputs").GetBlobClient($"lines.txt.{jobId}.out.jsonl.cancel").ExistsAsync(TestContext.Token));
        Assert.StartsWith("error: No job 'no-such-job' in outputs/.jobs/", missing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_QueueMissing_ExitsOneSayingWhatToDo()
    {
        var file = await WriteInputAsync("lines.txt", "one\n");

        var (exitCode, _, error) = await CliRunner.RunAsync(["jobs", "submit", file, "--connection", storage.ConnectionString, "--queue", _queue + "-none"]);

        Assert.Equal(1, exitCode);
        Assert.Contains($"error: Queue '{_queue}-none' does not exist, so job lines-", error, StringComparison.Ordinal);
        Assert.Contains("start the service once (it creates its queues), or pass the service's --queue.", error, StringComparison.Ordinal);
    }

    public static TheoryData<string[], string> HostileArguments => new()
    {
        { ["jobs", "submit", "/no/such/file.jsonl"], "error: '/no/such/file.jsonl' does not exist." },
        { ["jobs", "submit", "FILE", "--truncation-direction", "middle"], "'middle'" },
        { ["jobs", "submit", "FILE", "--timeout", "soon"], "soon" },
        { ["jobs", "submit", "FILE", "--chunking", "--chunk-aggregate", "sum"], "'sum'" },
        { ["jobs", "submit", "FILE", "--chunking", "--chunk-size", "many"], "many" },
        { ["jobs", "submit", "FILE", "--chunking", "--chunk-size", "2"], "error: --chunk-size must be at least 3 tokens and --chunk-stride at least 0 word pieces." },
        { ["jobs", "submit", "FILE", "--chunk-stride", "8"], "error: --chunk-size, --chunk-stride and --chunk-aggregate apply only with --chunking." },
        { ["jobs", "submit", "FILE", "--chunking", "--pair-field", "b"], "error: --pair-field and --chunking do not go together" },
        { ["jobs", "status", "../../models/m/latest"], "error: '../../models/m/latest' is not a job id" },
        { ["jobs", "status", ""], "error: '' is not a job id" },
        { ["jobs", "status", "caf\u00e9-\ud800"], "is not a job id" },
        { ["jobs", "cancel", new string('a', 5_000)], "is not a job id" },
    };

    [Theory]
    [MemberData(nameof(HostileArguments))]
    public async Task Jobs_HostileArguments_ExitNonZeroWithAClearErrorAndQueueNothing(string[] arguments, string error)
    {
        var file = await WriteInputAsync("input.jsonl", "{\"id\":1,\"text\":\"fine\"}\n");
        var queue = new QueueClient(storage.ConnectionString, _queue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync(cancellationToken: TestContext.Token);

        var (exitCode, _, stderr) = await CliRunner.RunAsync([.. arguments.Select(a => a == "FILE" ? file : a), "--connection", storage.ConnectionString, "--queue", _queue]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(error, stderr, StringComparison.Ordinal);
        Assert.Empty((await queue.PeekMessagesAsync(cancellationToken: TestContext.Token)).Value);
    }

    [Fact]
    public async Task Submit_EmptyAndNotUtf8Files_AreQueuedAsTheyAreForTheServiceToJudgeLineByLine()
    {
        var empty = await WriteInputAsync("empty.txt", string.Empty);
        var latin1 = Path.Combine(_folder, "latin1.txt");
        await File.WriteAllBytesAsync(latin1, [0x63, 0x61, 0x66, 0xE9, 0x0A], TestContext.Token);
        await new QueueClient(storage.ConnectionString, _queue).CreateIfNotExistsAsync(cancellationToken: TestContext.Token);

        var (emptyExit, emptyOutput, _) = await CliRunner.RunAsync(["jobs", "submit", empty, "--connection", storage.ConnectionString, "--queue", _queue]);
        var (latinExit, latinOutput, _) = await CliRunner.RunAsync(["jobs", "submit", latin1, "--connection", storage.ConnectionString, "--queue", _queue]);

        Assert.Equal((0, 0), (emptyExit, latinExit));
        Assert.Equal(0, JsonNode.Parse(emptyOutput)!["lines"]!.GetValue<int>());
        var input = JsonNode.Parse(latinOutput)!["input"]!.GetValue<string>();
        var uploaded = (await new BlobServiceClient(storage.ConnectionString).GetBlobContainerClient("inputs").GetBlobClient(input["inputs/".Length..]).DownloadContentAsync(TestContext.Token)).Value.Content.ToArray();
        Assert.Equal(await File.ReadAllBytesAsync(latin1, TestContext.Token), uploaded);
    }

    private async Task<string> WriteInputAsync(string name, string content)
    {
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, name);
        await File.WriteAllTextAsync(path, content, TestContext.Token);
        return path;
    }
}
