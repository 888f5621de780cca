using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Classifier.Hosting;
using Serverless.Classifier.Hosting.Jobs;

namespace Serverless.Classifier.LocalHost.Tests;

/// <summary>Jobs share the encoder with HTTP but never pay for its load: HTTP saturated, a job still completes at once.</summary>
[Collection(StorageCollection.Name)]
public sealed class JobUnderLoadTests(AzuriteFixture storage)
{
    [Fact]
    public async Task Job_WhileHttpIsSaturated_CompletesInItsFirstInvocation()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var blobs = new BlobServiceClient(storage.ConnectionString);
        await blobs.GetBlobContainerClient("inputs").CreateIfNotExistsAsync(cancellationToken: TestContext.Token);
        await blobs.GetBlobContainerClient("outputs").CreateIfNotExistsAsync(cancellationToken: TestContext.Token);
        var input = $"load-{tag}.txt";
        await blobs.GetBlobContainerClient("inputs").GetBlobClient(input).UploadAsync(
            BinaryData.FromString(string.Join("\n", Enumerable.Range(0, 300).Select(i => i % 2 == 0 ? $"great value {i}" : $"broke after {i} days"))), TestContext.Token);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage.ConnectionString,
            ["Classifier:ModelPath"] = TestPaths.DefaultModel,
            ["Classifier:MaxQueuedTokens"] = "200",
            ["ClassifyQueueName"] = "load-" + tag,
            ["Jobs:ChunkSize"] = "50",
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddClassifierService(configuration).BuildServiceProvider();
        var classifier = services.GetRequiredService<ITextClassifier>();
        await classifier.LoadAsync(TestContext.Token);

        using var stop = new CancellationTokenSource();
        long served = 0, refused = 0, failed = 0;
        var clients = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await classifier.ClassifyAsync(new ClassificationRequest { Texts = ["I love it, truly a great phone", "terrible, never again"] }, stop.Token);
                    Interlocked.Increment(ref served);
                }
                catch (ClassifierException exception) when (exception.Kind == ClassifierErrorKind.Overloaded)
                {
                    Interlocked.Increment(ref refused);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })).ToArray();
        await LocalHostFixture.WaitUntilAsync(() => Task.FromResult(Interlocked.Read(ref refused) > 0), TimeSpan.FromSeconds(30), "HTTP to be refused as overloaded");
        var refusedBefore = Interlocked.Read(ref refused);

        var outcome = await services.GetRequiredService<ClassifyJobProcessor>().ProcessAsync(
            JsonSerializer.Serialize(new { input = $"inputs/{input}", output = $"outputs/{input}.jsonl" }), "m0", TestContext.Token);

        var refusedDuring = Interlocked.Read(ref refused) - refusedBefore;
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        Assert.Equal(JobOutcome.Completed, outcome);
        Assert.True(refusedDuring > 0, "HTTP was not saturated while the job ran");
        Assert.True(Interlocked.Read(ref served) > 0, "no HTTP request was served");
        Assert.Equal(0, Interlocked.Read(ref failed));
        var output = (await blobs.GetBlobContainerClient("outputs").GetBlobClient($"{input}.jsonl").DownloadContentAsync(TestContext.Token)).Value.Content.ToString();
        Assert.Equal(300, output.Count(c => c == '\n'));
    }
}
