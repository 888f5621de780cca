using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Classifier.Storage;

namespace Serverless.Classifier.Tests.Storage;

/// <summary>The blob model store against Azurite: publish, resolve, cache, and refuse what does not match its manifest.</summary>
[Collection(StorageCollection.Name)]
public sealed class BlobModelSourceTests(AzuriteFixture storage) : IDisposable
{
    private readonly string _name = "store-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "classifier-store-" + Guid.NewGuid().ToString("N"));

    private BlobContainerClient Models => new BlobServiceClient(storage.ConnectionString).GetBlobContainerClient("models");

    public void Dispose()
    {
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }
    }

    [Fact]
    public async Task PublishThenResolve_DownloadsTheVersionOnceAndReusesTheCache()
    {
        await ModelPublisher.PublishAsync(Models, TestPaths.DefaultModel, _name, "3.1.0", promote: true, CancellationToken.None);
        var source = new BlobModelSource(Models, _name, null, _cache, NullLogger.Instance);

        var directory = await source.GetPackageDirectoryAsync(CancellationToken.None);
        var written = File.GetLastWriteTimeUtc(Path.Combine(directory, "encoder.onnx"));
        var again = await source.GetPackageDirectoryAsync(CancellationToken.None);

        Assert.Equal(Path.Combine(_cache, _name, "3.1.0"), directory);
        Assert.Equal(directory, again);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(directory, "encoder.onnx")));
        Assert.Equal("3.1.0", await source.GetLatestVersionAsync(CancellationToken.None));
        Assert.True((await Models.GetBlobClient($"{_name}/latest.json").ExistsAsync()).Value);
        Assert.Equal(
            [$"{_name}/3.1.0/encoder.onnx", $"{_name}/3.1.0/vocab.txt", $"{_name}/3.1.0/heads/sentiment.onnx", $"{_name}/3.1.0/manifest.json"],
            await ModelPublisher.PlanAsync(TestPaths.DefaultModel, _name, "3.1.0", CancellationToken.None));
    }

    [Fact]
    public async Task CorruptedBlob_IsRefusedByTheStoreAndByPromote()
    {
        await ModelPublisher.PublishAsync(Models, TestPaths.DefaultModel, _name, "1.0.0", promote: true, CancellationToken.None);
        await Models.GetBlobClient($"{_name}/1.0.0/heads/sentiment.onnx").UploadAsync(BinaryData.FromString("not the head"), overwrite: true);
        var source = new BlobModelSource(Models, _name, null, _cache, NullLogger.Instance);

        var load = await Assert.ThrowsAsync<ClassifierException>(() => source.GetPackageDirectoryAsync(CancellationToken.None));
        var promote = await Assert.ThrowsAsync<ClassifierException>(() => ModelPublisher.PromoteAsync(Models, _name, "1.0.0", CancellationToken.None));

        Assert.Equal(ClassifierErrorKind.ModelInvalid, load.Kind);
        Assert.Contains($"'models/{_name}/1.0.0/heads/sentiment.onnx' has sha256", load.Message, StringComparison.Ordinal);
        Assert.Contains("but its manifest declares", load.Message, StringComparison.Ordinal);
        Assert.Equal(ClassifierErrorKind.ModelInvalid, promote.Kind);
        Assert.False(File.Exists(Path.Combine(_cache, _name, "1.0.0", "heads", "sentiment.onnx")));
    }

    [Fact]
    public async Task Unpublished_IsModelUnavailableSayingWhatToDo()
    {
        var source = new BlobModelSource(Models, _name, null, _cache, NullLogger.Instance);
        var pinned = new BlobModelSource(Models, _name, "7.0.0", _cache, NullLogger.Instance);

        var latest = await Assert.ThrowsAsync<ClassifierException>(() => source.GetPackageDirectoryAsync(CancellationToken.None));
        var version = await Assert.ThrowsAsync<ClassifierException>(() => pinned.GetPackageDirectoryAsync(CancellationToken.None));
        var promote = await Assert.ThrowsAsync<ClassifierException>(() => ModelPublisher.PromoteAsync(Models, _name, "7.0.0", CancellationToken.None));

        Assert.Equal(ClassifierErrorKind.ModelUnavailable, latest.Kind);
        Assert.Contains($"'models/{_name}/latest.json' does not exist: no version of model '{_name}' is published", latest.Message, StringComparison.Ordinal);
        Assert.Contains($"version '7.0.0' of model '{_name}' is not (fully) published", version.Message, StringComparison.Ordinal);
        Assert.Contains("publish version '7.0.0' before promoting it", promote.Message, StringComparison.Ordinal);
    }
}
