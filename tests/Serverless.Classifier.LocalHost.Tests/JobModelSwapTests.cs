using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serverless.Classifier.Hosting;
using Serverless.Classifier.Hosting.Jobs;
using Serverless.Classifier.Storage;

namespace Serverless.Classifier.LocalHost.Tests;

/// <summary>
/// A job runs on the model version it started on: a new version published and swapped in while the job runs (with
/// other labels, so mixing would show) changes nothing in its output; a continuation that finds another version served
/// stops with that reason instead of mixing.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class JobModelSwapTests(AzuriteFixture storage) : IDisposable
{
    private const int Lines = 350;
    private readonly string _tag = Guid.NewGuid().ToString("N")[..8];
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "classifier-swap-" + Guid.NewGuid().ToString("N"));

    private BlobServiceClient Blobs => new(storage.ConnectionString);

    private string ModelName => "swap-" + _tag;

    private string QueueName => "swap-" + _tag;

    public void Dispose()
    {
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }
    }

    [Fact]
    public async Task SwapInTheMiddleOfAJob_OutputCarriesOneVersionAndEqualsARunWithoutTheSwap()
    {
        var input = await SetUpAsync();
        await using var baseline = await StartAsync(maxInvocationSeconds: 3600);
        Assert.Equal(JobOutcome.Completed, await baseline.Processor.ProcessAsync(Message(input, "baseline"), "m0", TestContext.Token));
        await baseline.DisposeAsync();

        await using var service = await StartAsync(maxInvocationSeconds: 3600, swapAfterFirstChunk: true);
        var outcome = await service.Processor.ProcessAsync(Message(input, "swapped"), "m1", TestContext.Token);

        Assert.Equal(JobOutcome.Completed, outcome);
        Assert.True(service.Swapped, "the new version was not swapped in during the job");
        Assert.Equal("2.0.0", service.Classifier.Manifest!.Version);
        var outputs = Blobs.GetBlobContainerClient("outputs");
        var expected = (await outputs.GetBlobClient($"{input}.baseline.jsonl").DownloadContentAsync(TestContext.Token)).Value.Content.ToString();
        var actual = (await outputs.GetBlobClient($"{input}.swapped.jsonl").DownloadContentAsync(TestContext.Token)).Value.Content.ToString();
        Assert.Equal(expected, actual);
        Assert.Equal(Lines, actual.Count(c => c == '\n'));
        Assert.DoesNotContain("\"pos\"", actual, StringComparison.Ordinal);
        var summary = JsonNode.Parse((await outputs.GetBlobClient($"{input}.swapped.jsonl.summary.json").DownloadContentAsync(TestContext.Token)).Value.Content.ToString())!;
        Assert.Equal("1.0.0", summary["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task ContinuationAfterASwap_IsRejectedWithTheReasonInsteadOfMixingVersions()
    {
        var input = await SetUpAsync();
        var queue = new QueueClient(storage.ConnectionString, QueueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var rejected = new QueueClient(storage.ConnectionString, QueueName + "-rejected", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync(cancellationToken: TestContext.Token);
        await rejected.CreateIfNotExistsAsync(cancellationToken: TestContext.Token);
        await using var service = await StartAsync(maxInvocationSeconds: 0);

        var first = await service.Processor.ProcessAsync(Message(input, "continued"), "m0", TestContext.Token);
        await service.PublishAndWaitForSwapAsync(TestContext.Token);
        var continuation = (await queue.ReceiveMessageAsync(cancellationToken: TestContext.Token)).Value;
        var second = await service.Processor.ProcessAsync(continuation.Body.ToString(), continuation.MessageId, TestContext.Token);

        Assert.Equal((JobOutcome.Continued, JobOutcome.Rejected), (first, second));
        var record = JsonNode.Parse((await rejected.ReceiveMessageAsync(cancellationToken: TestContext.Token)).Value.Body.ToString())!;
        Assert.Equal(
            $"The job started on model {ModelName} version 1.0.0, which is no longer served (now 2.0.0); it stopped after 100 lines rather than mix versions in one output. Send the message again to run the whole job on 2.0.0.",
            record["reason"]!.GetValue<string>());
        var outputs = Blobs.GetBlobContainerClient("outputs");
        Assert.False(await outputs.GetBlobClient($"{input}.continued.jsonl").ExistsAsync(TestContext.Token));
        Assert.False(await outputs.GetBlobClient($"{input}.continued.jsonl.progress.json").ExistsAsync(TestContext.Token));
    }

    private static string Message(string input, string name) => JsonSerializer.Serialize(new { input = $"inputs/{input}", output = $"outputs/{input}.{name}.jsonl" });

    private async Task<string> SetUpAsync()
    {
        foreach (var container in new[] { "inputs", "outputs", "models" })
        {
            await Blobs.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken: TestContext.Token);
        }

        await ModelPublisher.PublishAsync(Blobs.GetBlobContainerClient("models"), TestPaths.DefaultModel, ModelName, "1.0.0", promote: true, TestContext.Token);
        var input = $"swap-{_tag}.txt";
        await Blobs.GetBlobContainerClient("inputs").GetBlobClient(input).UploadAsync(
            BinaryData.FromString(string.Join("\n", Enumerable.Range(0, Lines).Select(i => i % 2 == 0 ? $"great value {i}" : $"broke after {i} days"))), TestContext.Token);
        return input;
    }

    private async Task<ServiceScope> StartAsync(int maxInvocationSeconds, bool swapAfterFirstChunk = false)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage.ConnectionString,
            ["Classifier:ModelName"] = ModelName,
            ["Classifier:CachePath"] = _cache,
            ["Classifier:ModelRefreshSeconds"] = "1",
            ["ClassifyQueueName"] = QueueName,
            ["Jobs:RejectedQueueName"] = QueueName + "-rejected",
            ["Jobs:ChunkSize"] = "100",
            ["Jobs:MaxInvocationSeconds"] = maxInvocationSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build();
        var services = new ServiceCollection().AddLogging().AddClassifierService(configuration);
        var scope = new ServiceScope(this);
        if (swapAfterFirstChunk)
        {
            // Decorate the classifier: after the job's first chunk, publish 2.0.0 and wait until it is served.
            var original = services.Last(d => d.ServiceType == typeof(ITextClassifier));
            services.Remove(original);
            services.AddSingleton<ITextClassifier>(provider => new SwapAfterFirstCall((ITextClassifier)original.ImplementationFactory!(provider), scope));
        }

        await scope.StartAsync(services.BuildServiceProvider());
        return scope;
    }

    /// <summary>The service (with its model refresh running) and a way to publish and wait for version 2.0.0.</summary>
    private sealed class ServiceScope(JobModelSwapTests test) : IAsyncDisposable
    {
        private ServiceProvider? _services;
        private bool _disposed;

        public ClassifyJobProcessor Processor => _services!.GetRequiredService<ClassifyJobProcessor>();

        public ITextClassifier Classifier => _services!.GetRequiredService<ITextClassifier>();

        public bool Swapped { get; private set; }

        public async Task StartAsync(ServiceProvider services)
        {
            _services = services;
            foreach (var hosted in services.GetServices<IHostedService>())
            {
                await hosted.StartAsync(TestContext.Token);
            }

            await Classifier.LoadAsync(TestContext.Token);
        }

        /// <summary>Publishes 2.0.0 with other label names (same files) and waits until the refresh service serves it.</summary>
        public async Task PublishAndWaitForSwapAsync(CancellationToken cancellationToken)
        {
            using var package = TemporaryPackage.CopyOfDefaultModel();
            var manifestPath = Path.Combine(package.Directory, "manifest.json");
            var manifest = JsonNode.Parse(await File.ReadAllTextAsync(manifestPath, cancellationToken))!;
            manifest["heads"]![0]!["labels"] = new JsonArray("neg", "pos");
            await File.WriteAllTextAsync(manifestPath, manifest.ToJsonString(), cancellationToken);
            await ModelPublisher.PublishAsync(test.Blobs.GetBlobContainerClient("models"), package.Directory, test.ModelName, "2.0.0", promote: true, cancellationToken);
            await LocalHostFixture.WaitUntilAsync(() => Task.FromResult(Classifier.Manifest?.Version == "2.0.0"), TimeSpan.FromSeconds(60), "version 2.0.0 to be served");
            Swapped = true;
        }

        public async ValueTask DisposeAsync()
        {
            if (_services is null || _disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var hosted in _services.GetServices<IHostedService>())
            {
                await hosted.StopAsync(CancellationToken.None);
            }

            await _services.DisposeAsync();
        }
    }

    private sealed class SwapAfterFirstCall(ITextClassifier inner, ServiceScope scope) : ITextClassifier
    {
        private int _calls;

        public Model.ModelManifest? Manifest => inner.Manifest;

        public string? ExecutionProvider => inner.ExecutionProvider;

        public string? ExecutionDevice => inner.ExecutionDevice;

        public string? LoadError => inner.LoadError;

        public Serverless.Classifier.Tokenization.WordPieceTextTokenizer? Tokenizer => inner.Tokenizer;

        public Task LoadAsync(CancellationToken cancellationToken) => inner.LoadAsync(cancellationToken);

        public Task<ClassificationResult> ClassifyAsync(ClassificationRequest request, CancellationToken cancellationToken) => inner.ClassifyAsync(request, cancellationToken);

        public async Task<PinnedModel> PinModelAsync(CancellationToken cancellationToken)
        {
            var pinned = await inner.PinModelAsync(cancellationToken);
            return new PinnedModel(pinned.Manifest, pinned.ExecutionProvider, ClassifyThenSwapAsync, pinned.Dispose);

            async Task<ClassificationResult> ClassifyThenSwapAsync(ClassificationRequest request, CancellationToken token)
            {
                var result = await pinned.ClassifyAsync(request, token);
                if (Interlocked.Increment(ref _calls) == 1)
                {
                    await scope.PublishAndWaitForSwapAsync(token);
                }

                return result;
            }
        }
    }
}
