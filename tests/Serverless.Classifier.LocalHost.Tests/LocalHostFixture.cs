using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Classifier.Storage;

namespace Serverless.Classifier.LocalHost.Tests;

/// <summary>
/// A running local host on a free port against the test storage, serving its own model name and queues (so test
/// classes do not meet), with the default package published as version 1.0.0, refresh every second, and queue retries
/// without delay.
/// </summary>
public sealed class LocalHostFixture : IAsyncLifetime
{
    private readonly AzuriteFixture _storage;
    private LocalHostApp? _app;

    public LocalHostFixture(AzuriteFixture storage)
    {
        _storage = storage;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        ModelName = "test-" + suffix;
        QueueName = "jobs-" + suffix;
    }

    public string ModelName { get; }

    public string QueueName { get; }

    public string RejectedQueueName => QueueName + "-rejected";

    public string PoisonQueueName => QueueName + "-poison";

    public string CachePath { get; } = Path.Combine(Path.GetTempPath(), "classifier-cache-" + Guid.NewGuid().ToString("N"));

    public HttpClient Http { get; private set; } = null!;

    /// <summary>The running host's services.</summary>
    public IServiceProvider Services => _app!.Services;

    public BlobServiceClient Blobs => new(_storage.ConnectionString);
    public QueueClient Queue(string name) => new(_storage.ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });


    public async Task InitializeAsync()
    {
        var models = Blobs.GetBlobContainerClient("models");
        await ModelPublisher.PublishAsync(models, TestPaths.DefaultModel, ModelName, "1.0.0", promote: true, CancellationToken.None);
        _app = await LocalHostApp.BuildAsync(
            ["--urls", "http://127.0.0.1:0"],
            new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = _storage.ConnectionString,
                ["Classifier:ModelName"] = ModelName,
                ["Classifier:ModelRefreshSeconds"] = "1",
                ["Classifier:CachePath"] = CachePath,
                ["ClassifyQueueName"] = QueueName,
                ["Jobs:RejectedQueueName"] = RejectedQueueName,
                ["Jobs:ChunkSize"] = "128",
                ["Seed:DefaultModel"] = "false",
                ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "2",
                ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:00",
                ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.500",
                ["Logging:LogLevel:Default"] = "Warning",
            },
            CancellationToken.None);
        await _app.App.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(2) };
        await WaitUntilAsync(async () => (await Http.GetAsync("/api/ready")).IsSuccessStatusCode, TimeSpan.FromMinutes(2), "the host to become ready");
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.App.StopAsync();
            await _app.DisposeAsync();
        }

        if (Directory.Exists(CachePath))
        {
            Directory.Delete(CachePath, recursive: true);
        }
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}.");
            }

            await Task.Delay(200);
        }
    }
}
