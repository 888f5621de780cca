using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Classifier;
using Serverless.Classifier.Inference;
using Serverless.Classifier.LocalHost;
using Serverless.Classifier.Model;
using Serverless.Classifier.Storage;

namespace ModelExport.Tests;

/// <summary><c>publish</c> and <c>promote</c> against a real Azurite, read back by the service's blob model store.</summary>
public sealed class PublishTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "azurite-publish-" + Guid.NewGuid().ToString("N"));
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "publish-cache-" + Guid.NewGuid().ToString("N"));
    private readonly string _name = "cli-" + Guid.NewGuid().ToString("N")[..8];
    private Azurite? _azurite;
    private string _connection = string.Empty;

    public async Task InitializeAsync()
    {
        _connection = Environment.GetEnvironmentVariable("SERVERLESS_TEST_STORAGE") is { Length: > 0 } configured ? configured : (_azurite = await Azurite.StartAsync(_data, 0, 0, 0, TextWriter.Null, CancellationToken.None)).ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        foreach (var directory in new[] { _data, _cache }.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task PublishThenPromote_IsLoadedByTheServicesBlobStore()
    {
        var (dryExit, dryOutput, _) = await CliRunner.RunAsync(["publish", "--name", _name, "--version", "2.0.0", "--connection", _connection, "--dry-run"]);
        var container = new BlobServiceClient(_connection).GetBlobContainerClient("models");
        Assert.Equal(0, dryExit);
        Assert.Equal(
            [$"models/{_name}/2.0.0/encoder.onnx", $"models/{_name}/2.0.0/vocab.txt", $"models/{_name}/2.0.0/heads/sentiment.onnx", $"models/{_name}/2.0.0/manifest.json", $"models/{_name}/latest.json"],
            JsonNode.Parse(dryOutput)!["writes"]!.AsArray().Select(w => w!.GetValue<string>()));
        Assert.False(await container.ExistsAsync() && await container.GetBlobClient($"{_name}/latest.json").ExistsAsync());

        var (exitCode, output, error) = await CliRunner.RunAsync(["publish", "--name", _name, "--version", "2.0.0", "--connection", _connection]);
        var (secondExit, _, _) = await CliRunner.RunAsync(["publish", "--name", _name, "--version", "2.1.0", "--connection", _connection, "--no-promote"]);

        Assert.True(exitCode == 0, error);
        Assert.Equal(0, secondExit);
        Assert.Equal($"models/{_name}/2.0.0/", JsonNode.Parse(output)!["published"]!.GetValue<string>());
        var source = new BlobModelSource(container, _name, null, _cache, NullLogger.Instance);
        Assert.Equal("2.0.0", await source.GetLatestVersionAsync(CancellationToken.None));
        using var model = await ClassifierModel.LoadAsync(
            await source.GetPackageDirectoryAsync(CancellationToken.None), new OnnxSessionFactory(new ClassifierOptions(), NullLogger.Instance), NullLogger.Instance, CancellationToken.None);
        Assert.Equal((_name, "2.0.0"), (model.Manifest.Name, model.Manifest.Version));

        var (promoteExit, _, _) = await CliRunner.RunAsync(["promote", "--name", _name, "--version", "2.1.0", "--connection", _connection]);
        Assert.Equal(0, promoteExit);
        Assert.Equal("2.1.0", await new BlobModelSource(container, _name, null, _cache, NullLogger.Instance).GetLatestVersionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Promote_UnpublishedVersion_ExitsOneAndLeavesLatestAlone()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["promote", "--name", _name, "--version", "9.9.9", "--connection", _connection]);

        Assert.Equal(1, exitCode);
        Assert.Contains($"error (ModelUnavailable): 'models/{_name}/9.9.9/manifest.json' does not exist; publish version '9.9.9' before promoting it.", error, StringComparison.Ordinal);
    }
}
