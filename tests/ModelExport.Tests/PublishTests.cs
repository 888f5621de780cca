using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Classifier;

namespace ModelExport.Tests;

/// <summary><c>publish</c> and <c>promote</c> against a real Azurite, read back by the service's blob model store.</summary>
[Collection(StorageCollection.Name)]
public sealed class PublishTests(AzuriteFixture storage) : IDisposable
{
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "publish-cache-" + Guid.NewGuid().ToString("N"));
    private readonly string _name = "cli-" + Guid.NewGuid().ToString("N")[..8];

    private string Connection => storage.ConnectionString;

    public void Dispose()
    {
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }
    }

    [Fact]
    public async Task PublishThenPromote_IsLoadedByTheServicesBlobStore()
    {
        var (dryExit, dryOutput, _) = await CliRunner.RunAsync(["publish", "--name", _name, "--version", "2.0.0", "--connection", Connection, "--dry-run"]);
        var container = new BlobServiceClient(Connection).GetBlobContainerClient("models");
        Assert.Equal(0, dryExit);
        Assert.Equal(
            [$"models/{_name}/2.0.0/encoder.onnx", $"models/{_name}/2.0.0/encoder.onnx.data", $"models/{_name}/2.0.0/vocab.txt", $"models/{_name}/2.0.0/heads/sentiment.onnx", $"models/{_name}/2.0.0/manifest.json", $"models/{_name}/latest.json"],
            JsonNode.Parse(dryOutput)!["writes"]!.AsArray().Select(w => w!.GetValue<string>()));
        Assert.False(await container.ExistsAsync() && await container.GetBlobClient($"{_name}/latest.json").ExistsAsync());

        var (exitCode, output, error) = await CliRunner.RunAsync(["publish", "--name", _name, "--version", "2.0.0", "--connection", Connection]);
        var (secondExit, _, _) = await CliRunner.RunAsync(["publish", "--name", _name, "--version", "2.1.0", "--connection", Connection, "--no-promote"]);

        Assert.True(exitCode == 0, error);
        Assert.Equal(0, secondExit);
        Assert.Equal($"models/{_name}/2.0.0/", JsonNode.Parse(output)!["published"]!.GetValue<string>());
        Assert.Equal((_name, "2.0.0"), await ServedVersionAsync());

        var (promoteExit, _, _) = await CliRunner.RunAsync(["promote", "--name", _name, "--version", "2.1.0", "--connection", Connection]);
        Assert.Equal(0, promoteExit);
        Assert.Equal((_name, "2.1.0"), await ServedVersionAsync());
    }

    /// <summary>The model and version the service's blob source loads now (a fresh classifier, as a new replica would).</summary>
    private async Task<(string Name, string Version)> ServedVersionAsync()
    {
        await using var services = ServingServices.Create(
            options => (options.ModelName, options.CachePath) = (_name, _cache),
            services => services.AddSingleton(new BlobServiceClient(Connection)));
        var classifier = services.GetRequiredService<ITextClassifier>();
        await classifier.LoadAsync(TestContext.Token);
        return (classifier.Manifest!.Name, classifier.Manifest.Version);
    }

    [Fact]
    public async Task Promote_UnpublishedVersion_ExitsOneAndLeavesLatestAlone()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["promote", "--name", _name, "--version", "9.9.9", "--connection", Connection]);

        Assert.Equal(1, exitCode);
        Assert.Contains($"error (ModelUnavailable): 'models/{_name}/9.9.9/manifest.json' does not exist; publish version '9.9.9' before promoting it.", error, StringComparison.Ordinal);
    }
}
