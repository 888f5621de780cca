using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Classifier.Hosting.Http;
using Serverless.Classifier.Storage;

namespace Serverless.Classifier.LocalHost.Tests;

/// <summary>The HTTP API of the local host, served from a model published to (Azurite) blob storage.</summary>
[Collection(StorageCollection.Name)]
public sealed class HttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task Classify_PublishedModel_ReturnsPositiveThenNegativeWithModelHeaders()
    {
        using var response = await host.Http.PostAsJsonAsync("/api/classify", new { inputs = new[] { "I love it", "awful, never again" } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(["positive", "negative"], body.Select(entry => entry![0]!["label"]!.GetValue<string>()));
        Assert.Equal(host.ModelName, response.Headers.GetValues("x-model-name").Single());
        Assert.All(new[] { "x-model-version", "x-tokenize-ms", "x-queue-ms", "x-inference-ms" }, h => Assert.Single(response.Headers.GetValues(h)));
    }

    [Fact]
    public async Task Classify_ChunkingWithReturnChunks_GivesLabelsAndEachWindowsSpanAndLabels()
    {
        var filler = string.Concat(Enumerable.Repeat("The meeting is on the third floor of the building next to the station. Bring the forms and a pen. ", 36));
        var text = filler + string.Concat(Enumerable.Repeat("This is the worst product I have ever bought, it broke after a day and support never answered. ", 3)).TrimEnd();

        using var response = await host.Http.PostAsJsonAsync(
            "/api/classify", new { inputs = new[] { text, "I love it" }, parameters = new { chunking = true, chunk_aggregate = "max", return_chunks = true, top_k = 1 } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal("negative", body[0]!["labels"]![0]!["label"]!.GetValue<string>());
        var chunks = body[0]!["chunks"]!.AsArray();
        Assert.Equal(2, chunks.Count);
        Assert.Equal((0, text.Length), (chunks[0]!["start"]!.GetValue<int>(), chunks[^1]!["end"]!.GetValue<int>()));
        Assert.Equal("negative", chunks[1]!["labels"]![0]!["label"]!.GetValue<string>());
        var single = Assert.Single(body[1]!["chunks"]!.AsArray())!;
        Assert.Equal((0, 9, "positive"), (single["start"]!.GetValue<int>(), single["end"]!.GetValue<int>(), body[1]!["labels"]![0]!["label"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("{\"inputs\":\"ok\",\"parameters\":{\"chunk_stride\":8}}", 400, "parameters.chunk_stride", "parameters.chunk_stride applies only with parameters.chunking: true")]
    [InlineData("{\"inputs\":\"ok\",\"parameters\":{\"chunking\":true,\"chunk_size\":513}}", 400, "parameters.chunk_size", "chunk_size is 513; it must be at least 3")]
    [InlineData("{\"inputs\":\"ok\",\"parameters\":{\"chunking\":true,\"chunk_size\":64,\"chunk_stride\":62}}", 400, "parameters.chunk_stride", "chunk_stride is 62; it must be at least 0 and less than 62")]
    public async Task Classify_BadChunkingParameter_Is400NamingIt(string body, int status, string field, string detail)
    {
        using var response = await host.Http.PostAsync("/api/classify", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(field, problem["field"]!.GetValue<string>());
        Assert.Contains(detail, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classify_ChunkedInputOverMaxChunksPerInput_Is413()
    {
        var text = string.Join(" ", Enumerable.Repeat("word", 33_000));

        using var response = await host.Http.PostAsJsonAsync("/api/classify", new { inputs = text, parameters = new { chunking = true } });

        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("inputs", problem["field"]!.GetValue<string>());
        Assert.Equal(
            "inputs needs 86 windows of 510 word pieces (chunk_stride 127); at most 64 are allowed per input. Split the document, or lower chunk_stride.",
            problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public void Endpoints_AreTheRouteTable()
    {
        var endpoints = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => $"{Assert.Single(e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods)} /{e.RoutePattern.RawText!.TrimStart('/')} {e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName}");

        var expected = ClassifierRoutes.All.Select(r => $"{r.Method} {r.Path} {r.FunctionName}")
            .Concat(ClassifierRoutes.All.Where(r => r.AlsoAtRoot).Select(r => $"{r.Method} /{r.Route} {r.FunctionName}AtRoot"));
        Assert.Equal(expected.Order(StringComparer.Ordinal), endpoints.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReadyModelsOpenApiHealth_DescribeTheService()
    {
        var ready = await host.Http.GetAsync("/api/ready");
        var models = JsonNode.Parse(await host.Http.GetStringAsync("/api/models"))!;
        var openApi = JsonNode.Parse(await host.Http.GetStringAsync("/api/openapi.json"))!;
        var health = await host.Http.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(host.ModelName, models["name"]!.GetValue<string>());
        Assert.Equal("cpu", models["executionProvider"]!.GetValue<string>());
        Assert.Equal("cls", models["heads"]![0]!["pooling"]!.GetValue<string>());
        Assert.Equal(512, models["maxLength"]!.GetValue<int>());
        Assert.StartsWith("3.0", openApi["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(openApi["paths"]!["/api/classify"]!["post"]);
    }

    [Theory]
    [InlineData("text/plain", "{\"inputs\":\"hi\"}", 415, "unsupported-media-type", "Content-Type")]
    [InlineData("application/json", "{\"inputs\":", 400, "invalid-input", "body")]
    [InlineData("application/json", "{\"inputs\":[\"ok\", 3]}", 400, "invalid-input", "inputs[1]")]
    [InlineData("application/json", "{\"inputs\":\"ok\",\"parameters\":{\"topk\":1}}", 400, "invalid-input", "parameters.topk")]
    public async Task Classify_BadRequest_IsAProblemNotA500(string contentType, string body, int status, string type, string field)
    {
        using var response = await host.Http.PostAsync("/api/classify", new StringContent(body, Encoding.UTF8, contentType));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("urn:serverless-classifier:problem:" + type, problem["type"]!.GetValue<string>());
        Assert.Equal(field, problem["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task Classify_BodyOverTheLimit_Is413()
    {
        var texts = Enumerable.Repeat(new string('a', 10_000), 120).ToArray();

        using var response = await host.Http.PostAsJsonAsync("/api/classify", new { inputs = texts });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most 1048576 are allowed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HotSwap_NewVersionPromotedUnderConcurrentRequests_FailsNoRequest()
    {
        using var stop = new CancellationTokenSource();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<(HttpStatusCode Status, string Version)>();
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await host.Http.PostAsJsonAsync("/api/classify", new { inputs = new[] { "great phone", "broken on arrival" } });
                statuses.Add((response.StatusCode, response.Headers.TryGetValues("x-model-version", out var v) ? v.Single() : string.Empty));
            }
        })).ToArray();

        await ModelPublisher.PublishAsync(host.Blobs.GetBlobContainerClient("models"), TestPaths.DefaultModel, host.ModelName, "1.0.1", promote: true, CancellationToken.None);
        await LocalHostFixture.WaitUntilAsync(() => Task.FromResult(statuses.Any(s => s.Version == "1.0.1")), TimeSpan.FromMinutes(2), "version 1.0.1 to be served");
        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s.Status));
        Assert.Contains(statuses, s => s.Version == "1.0.0");
        Assert.True(statuses.Count > 8, $"only {statuses.Count} requests ran");
    }
}
