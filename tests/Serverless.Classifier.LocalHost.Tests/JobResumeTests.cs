using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Classifier.Hosting;
using Serverless.Classifier.Hosting.Jobs;

namespace Serverless.Classifier.LocalHost.Tests;

/// <summary>A job longer than one invocation: it checkpoints, queues a continuation, resumes, and ends identical to one run.</summary>
[Collection(StorageCollection.Name)]
public sealed class JobResumeTests(AzuriteFixture storage)
{
    [Fact]
    public async Task JobOverManyInvocations_ResumesFromItsCheckpointAndWritesTheSameBytesAsOneRun()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var blobs = new BlobServiceClient(storage.ConnectionString);
        var queueName = "resume-" + tag;
        var queue = new QueueClient(storage.ConnectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateAsync();
        await blobs.GetBlobContainerClient("inputs").CreateIfNotExistsAsync();
        await blobs.GetBlobContainerClient("outputs").CreateIfNotExistsAsync();
        var input = $"resume-{tag}.txt";
        await blobs.GetBlobContainerClient("inputs").GetBlobClient(input).UploadAsync(
            BinaryData.FromString(string.Join("\n", Enumerable.Range(0, 350).Select(i => i % 2 == 0 ? $"great value {i}" : $"broke after {i} days"))));
        var chunked = JsonSerializer.Serialize(new { input = $"inputs/{input}", output = $"outputs/{input}.chunked.jsonl" });
        var whole = JsonSerializer.Serialize(new { input = $"inputs/{input}", output = $"outputs/{input}.whole.jsonl" });

        await using var eager = Processor(queueName, maxInvocationSeconds: 0);
        var outcomes = new List<JobOutcome> { await eager.Processor.ProcessAsync(chunked, "m0", CancellationToken.None) };
        var progress = JsonNode.Parse((await blobs.GetBlobContainerClient("outputs").GetBlobClient($"{input}.chunked.jsonl.progress.json").DownloadContentAsync()).Value.Content.ToString())!;
        while (outcomes[^1] == JobOutcome.Continued)
        {
            var message = (await queue.ReceiveMessageAsync()).Value;
            Assert.Equal(chunked, message.Body.ToString());
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            outcomes.Add(await eager.Processor.ProcessAsync(message.Body.ToString(), message.MessageId, CancellationToken.None));
        }

        await using var patient = Processor(queueName, maxInvocationSeconds: 3600);
        var single = await patient.Processor.ProcessAsync(whole, "m1", CancellationToken.None);

        Assert.Equal(100, progress["linesDone"]!.GetValue<int>());
        Assert.Equal([JobOutcome.Continued, JobOutcome.Continued, JobOutcome.Continued, JobOutcome.Completed], outcomes);
        Assert.Equal(JobOutcome.Completed, single);
        var outputs = blobs.GetBlobContainerClient("outputs");
        var chunkedBytes = (await outputs.GetBlobClient($"{input}.chunked.jsonl").DownloadContentAsync()).Value.Content.ToArray();
        var wholeBytes = (await outputs.GetBlobClient($"{input}.whole.jsonl").DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(wholeBytes, chunkedBytes);
        Assert.Equal(350, System.Text.Encoding.UTF8.GetString(chunkedBytes).Count(c => c == '\n'));
        var summary = JsonNode.Parse((await outputs.GetBlobClient($"{input}.chunked.jsonl.summary.json").DownloadContentAsync()).Value.Content.ToString())!;
        Assert.Equal(300, summary["resumedFromLine"]!.GetValue<int>());
    }

    [Fact]
    public async Task CancelledJob_StopsAtAChunkWithoutOutputAndSaysSoInItsSummary()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var blobs = new BlobServiceClient(storage.ConnectionString);
        await blobs.GetBlobContainerClient("inputs").CreateIfNotExistsAsync(cancellationToken: TestContext.Token);
        var outputs = blobs.GetBlobContainerClient("outputs");
        await outputs.CreateIfNotExistsAsync(cancellationToken: TestContext.Token);
        var input = $"cancel-{tag}.txt";
        await blobs.GetBlobContainerClient("inputs").GetBlobClient(input).UploadAsync(
            BinaryData.FromString(string.Join("\n", Enumerable.Range(0, 250).Select(i => $"line {i}"))), TestContext.Token);
        await outputs.GetBlobClient($"{input}.jsonl{ClassifyJobProcessor.CancelSuffix}").UploadAsync(BinaryData.FromString("now"), TestContext.Token);
        await using var scope = Processor("cancel-" + tag, maxInvocationSeconds: 3600);

        var outcome = await scope.Processor.ProcessAsync(
            JsonSerializer.Serialize(new { input = $"inputs/{input}", output = $"outputs/{input}.jsonl", jobId = "j-" + tag }), "m0", TestContext.Token);

        Assert.Equal(JobOutcome.Cancelled, outcome);
        var summary = JsonNode.Parse((await outputs.GetBlobClient($"{input}.jsonl.summary.json").DownloadContentAsync(TestContext.Token)).Value.Content.ToString())!;
        Assert.Equal(("cancelled", "j-" + tag, 0), (summary["status"]!.GetValue<string>(), summary["jobId"]!.GetValue<string>(), summary["linesDone"]!.GetValue<int>()));
        Assert.Equal("cancelled on request after 0 lines; no output was written", summary["reason"]!.GetValue<string>());
        Assert.False(await outputs.GetBlobClient($"{input}.jsonl").ExistsAsync(TestContext.Token));
        Assert.False(await outputs.GetBlobClient($"{input}.jsonl.progress.json").ExistsAsync(TestContext.Token));
    }

    private ProcessorScope Processor(string queueName, int maxInvocationSeconds)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage.ConnectionString,
            ["Classifier:ModelPath"] = TestPaths.DefaultModel,
            ["ClassifyQueueName"] = queueName,
            ["Jobs:ChunkSize"] = "100",
            ["Jobs:MaxInvocationSeconds"] = maxInvocationSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build();
        var services = new ServiceCollection().AddLogging().AddClassifierService(configuration).BuildServiceProvider();
        return new ProcessorScope(services);
    }

    private sealed class ProcessorScope(ServiceProvider services) : IAsyncDisposable
    {
        public ClassifyJobProcessor Processor { get; } = services.GetRequiredService<ClassifyJobProcessor>();

        public ValueTask DisposeAsync() => services.DisposeAsync();
    }
}
