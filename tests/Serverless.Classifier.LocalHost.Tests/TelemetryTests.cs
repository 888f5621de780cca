using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Classifier.Storage;

namespace Serverless.Classifier.LocalHost.Tests;

/// <summary>
/// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, the local host exports the engine's spans and meter over OTLP: an
/// in-process collector (a Kestrel endpoint taking OTLP/HTTP protobuf) receives the spans of an HTTP request and of a
/// batch job, and the metrics.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class TelemetryTests(AzuriteFixture storage)
{
    [Fact]
    public async Task OtlpEndpointSet_SpansOfRequestsAndJobsAndTheMeterArrive()
    {
        var received = new ConcurrentDictionary<string, ConcurrentQueue<string>>();
        await using var collector = await StartCollectorAsync(received);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (modelName, queueName) = ("otel-" + suffix, "otel-jobs-" + suffix);
        // A model cache of its own: the default one under the temp folder would keep a copy of the model per run.
        using var cache = new TemporaryDirectory("classifier-cache-");
        await ModelPublisher.PublishAsync(new Azure.Storage.Blobs.BlobServiceClient(storage.ConnectionString).GetBlobContainerClient("models"), TestPaths.DefaultModel, modelName, "1.0.0", promote: true, TestContext.Token);
        await using var app = await LocalHostApp.BuildAsync(
            ["--urls", "http://127.0.0.1:0"],
            new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = storage.ConnectionString,
                ["Classifier:ModelName"] = modelName,
                ["Classifier:CachePath"] = cache.Path,
                ["ClassifyQueueName"] = queueName,
                ["Seed:DefaultModel"] = "false",
                ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.500",
                ["Logging:LogLevel:Default"] = "Warning",
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            },
            TestContext.Token);
        await app.App.StartAsync(TestContext.Token);
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
        await LocalHostFixture.WaitUntilAsync(async () => (await http.GetAsync("/api/ready")).IsSuccessStatusCode, TimeSpan.FromMinutes(2), "the host to become ready");

        using var response = await http.PostAsJsonAsync("/api/classify", new { inputs = new[] { "I love it", "awful" } }, TestContext.Token);
        response.EnsureSuccessStatusCode();
        var name = $"otel-{suffix}.jsonl";
        await new Azure.Storage.Blobs.BlobServiceClient(storage.ConnectionString).GetBlobContainerClient("inputs").GetBlobClient(name)
            .UploadAsync(BinaryData.FromString("{\"text\":\"great\"}\n{\"text\":\"bad\"}\n"), TestContext.Token);
        await new QueueClient(storage.ConnectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 })
            .SendMessageAsync(JsonSerializer.Serialize(new { input = $"inputs/{name}", output = $"outputs/{name}", jobId = "otel-job-" + suffix }), TestContext.Token);

        await LocalHostFixture.WaitUntilAsync(
            () => Task.FromResult(Received(received, "/v1/traces", "otel-job-" + suffix) && Received(received, "/v1/metrics", "classifier.texts")),
            TimeSpan.FromSeconds(60),
            "the job's span and the meter at the collector");

        var traces = string.Concat(received["/v1/traces"]);
        Assert.All(["classify", "tokenize", "queue wait", "encode", "head", "classify job", "POST /api/classify", "serverless-classifier"], span => Assert.Contains(span, traces, StringComparison.Ordinal));
        var metrics = string.Concat(received["/v1/metrics"]);
        Assert.All(["classifier.texts", "classifier.inference.duration", "classifier.batch.size"], metric => Assert.Contains(metric, metrics, StringComparison.Ordinal));
        await app.App.StopAsync(TestContext.Token);
    }

    private static bool Received(ConcurrentDictionary<string, ConcurrentQueue<string>> received, string path, string text) =>
        received.TryGetValue(path, out var bodies) && bodies.Any(b => b.Contains(text, StringComparison.Ordinal));

    /// <summary>An OTLP/HTTP collector that keeps each request body as text (names in protobuf are plain UTF-8).</summary>
    private static async Task<Collector> StartCollectorAsync(ConcurrentDictionary<string, ConcurrentQueue<string>> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.GetOrAdd(context.Request.Path, _ => new ConcurrentQueue<string>()).Enqueue(Encoding.UTF8.GetString(body.ToArray()));
            context.Response.ContentType = "application/x-protobuf";
        });
        await app.StartAsync();
        return new Collector(app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    private sealed record Collector(WebApplication App, string Address) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => App.DisposeAsync();
    }
}
