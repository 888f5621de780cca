using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Classifier.Model;

namespace Serverless.Classifier.Tests.Model;

/// <summary>Files are hashed once per load: by the loader for folders, by the source for blob storage (which says so).</summary>
public sealed class ModelSourceVerificationTests
{
    [Fact]
    public async Task Load_SourceThatVerifiedHashes_IsNotHashedAgain_ElseTheLoaderChecksEveryFile()
    {
        using var package = TemporaryPackage.CopyOfDefaultModel();
        // The manifest now declares another hash for the head: only a loader that hashes notices.
        var manifestPath = Path.Combine(package.Directory, "manifest.json");
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(manifestPath, TestContext.Token))!;
        manifest["heads"]![0]!["sha256"] = new string('0', 64);
        await File.WriteAllTextAsync(manifestPath, manifest.ToJsonString(), TestContext.Token);
        using var trusting = Create(new FolderSource(package.Directory, verifiesHashes: true));
        using var checking = Create(new FolderSource(package.Directory, verifiesHashes: false));

        await trusting.LoadAsync(TestContext.Token);
        var exception = await Assert.ThrowsAsync<ClassifierException>(() => checking.LoadAsync(TestContext.Token));

        Assert.Equal("1.0.0", trusting.Manifest!.Version);
        Assert.Equal(ClassifierErrorKind.ModelInvalid, exception.Kind);
        Assert.Contains($"'heads/sentiment.onnx' has sha256 ", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"but the manifest declares {new string('0', 64)}", exception.Message, StringComparison.Ordinal);
    }

    private static TextClassifier Create(IModelSource source) =>
        new(Options.Create(new ClassifierOptions { ModelPath = "unused" }), source, NullLogger<TextClassifier>.Instance);

    private sealed class FolderSource(string directory, bool verifiesHashes) : IModelSource
    {
        public string Description => directory;

        public bool VerifiesHashes => verifiesHashes;

        public Task<string?> GetLatestVersionAsync(CancellationToken cancellationToken) => Task.FromResult<string?>("1.0.0");

        public Task<string> GetPackageDirectoryAsync(CancellationToken cancellationToken) => Task.FromResult(directory);
    }
}
